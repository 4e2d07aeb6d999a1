// JT/T 1078-2016 live audio/video: 0x9101 real-time AV transfer request (Table 17: BYTE server
// IP length, STRING server IP or host, WORD TCP port, WORD UDP port, BYTE logical channel,
// BYTE data type, BYTE stream type) and 0x9102 real-time AV transfer control (channel, command,
// close type, stream type). Table 19 is the stream packet's (media/packet.ts), not 0x9102's.
import type { BodyCodec } from './codec';

/** 0x9101 data type. */
export const AvDataType = { audioVideo: 0, video: 1, intercom: 2, listen: 3, broadcast: 4, passThrough: 5 } as const;
/** 0x9101 stream type, 0x9102 switch target. */
export const StreamType = { main: 0, sub: 1 } as const;

export interface LiveVideoRequest {
  /** the media server's IP address or host name, as the terminal dials it */
  serverAddress: string;
  /** 0 when not offered */
  tcpPort: number;
  /** 0 when not offered */
  udpPort: number;
  /** logical channel (JT/T 1078 Table 2: 1 driver, 2 front, … per vehicle) */
  channel: number;
  /** AvDataType */
  dataType: number;
  /** StreamType */
  streamType: number;
}

export const liveVideoRequestCodec: BodyCodec<LiveVideoRequest> = {
  decode(r) {
    const length = r.u8('server address length');
    return {
      serverAddress: r.text(length, 'server address'),
      tcpPort: r.u16('TCP port'),
      udpPort: r.u16('UDP port'),
      channel: r.u8('logical channel'),
      dataType: r.u8('data type'),
      streamType: r.u8('stream type'),
    };
  },
  encode(w, b) {
    const address = w.gbkLength(b.serverAddress, 0xff, 'server address');
    w.u8(address.length).bytes(address).u16(b.tcpPort).u16(b.udpPort).u8(b.channel).u8(b.dataType).u8(b.streamType);
  },
};

/** 0x9102 control command. */
export const AvControl = { close: 0, switchStream: 1, pause: 2, resume: 3, closeIntercom: 4 } as const;
/** 0x9102 what `close` closes. */
export const AvCloseType = { all: 0, audioOnly: 1, videoOnly: 2 } as const;

export interface LiveVideoControl {
  channel: number;
  /** AvControl */
  command: number;
  /** AvCloseType, meaningful with `close` */
  closeType: number;
  /** StreamType to switch to, meaningful with `switchStream` */
  switchTo: number;
}

export const liveVideoControlCodec: BodyCodec<LiveVideoControl> = {
  decode: (r) => ({ channel: r.u8('logical channel'), command: r.u8('control command'), closeType: r.u8('close type'), switchTo: r.u8('switch stream type') }),
  encode(w, b) {
    w.u8(b.channel).u8(b.command).u8(b.closeType).u8(b.switchTo);
  },
};
