// A tiny RTSP server (RFC 2326) for tests: one H.264 stream from ffmpeg's test pattern,
// served over TCP-interleaved RTP (§10.12) to any client that DESCRIBEs, SETUPs and PLAYs.
// It also keeps the SPS the encoder produced, so a test can compare what a viewer receives.
import { lavfiInput } from '@hub/config/node';
import dgram from 'node:dgram';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffmpegPath } from '../../src/video/ffmpeg-path';
import { spsFromRtp } from './h264';

export interface RtspTestServer {
  url: string;
  /** the first SPS NAL unit the encoder sent */
  sps(): Buffer | undefined;
  /** clients that reached PLAY */
  plays: number;
  close(): Promise<void>;
}

export async function startRtspServer(opts: { size?: string; fps?: number } = {}): Promise<RtspTestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rtsp-'));
  const sdpFile = path.join(dir, 'source.sdp');
  const udp = dgram.createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const players = new Set<net.Socket>();
  let sps: Buffer | undefined;
  udp.on('message', (rtp) => {
    sps ??= spsFromRtp(rtp.subarray(12));
    const frame = Buffer.alloc(4);
    frame[0] = 0x24; // '$', channel 0 (RTP)
    frame.writeUInt16BE(rtp.length, 2);
    for (const s of players) s.write(Buffer.concat([frame, rtp]));
  });
  const fps = opts.fps ?? 15;
  const ffmpeg = spawn(
    ffmpegPath(),
    [
      ...lavfiInput(`testsrc=size=${opts.size ?? '640x480'}:rate=${fps}`),
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'main',
      '-pix_fmt',
      'yuv420p',
      '-g',
      String(fps),
      '-bsf:v',
      'h264_mp4toannexb',
      '-f',
      'rtp',
      '-payload_type',
      '96',
      '-sdp_file',
      sdpFile,
      `rtp://127.0.0.1:${(udp.address() as net.AddressInfo).port}`,
    ],
    { stdio: 'ignore' },
  );
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('close', () => players.delete(socket));
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf[0] === 0x24) {
          // the client's interleaved RTCP: skip it
          if (buf.length < 4) return;
          const len = 4 + buf.readUInt16BE(2);
          if (buf.length < len) return;
          buf = buf.subarray(len);
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        buf = buf.subarray(end + 4);
        answer(socket, head);
      }
    });
  });
  const url = await new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`rtsp://127.0.0.1:${(server.address() as net.AddressInfo).port}/cam`)));

  function answer(socket: net.Socket, head: string): void {
    const [requestLine, ...lines] = head.split('\r\n');
    const [method] = requestLine!.split(' ');
    const header = (name: string) =>
      lines
        .find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'))
        ?.slice(name.length + 1)
        .trim();
    const cseq = header('CSeq') ?? '0';
    const reply = (extra: string[], body = '') => socket.write(['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...extra, ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []), '', body].join('\r\n'));
    switch (method) {
      case 'OPTIONS':
        return void reply(['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN']);
      case 'DESCRIBE': {
        // ffmpeg's own SDP of its RTP output, with a control URL for the one track
        const source = existsSync(sdpFile) ? readFileSync(sdpFile, 'utf8') : '';
        const fmtp = /a=fmtp:96 (.*)/.exec(source)?.[1] ?? 'packetization-mode=1';
        const sdp = [
          'v=0',
          'o=- 0 0 IN IP4 127.0.0.1',
          's=test camera',
          'c=IN IP4 0.0.0.0',
          't=0 0',
          'm=video 0 RTP/AVP 96',
          'a=rtpmap:96 H264/90000',
          `a=fmtp:96 ${fmtp}`,
          'a=control:track0',
          '',
        ].join('\r\n');
        return void reply(['Content-Type: application/sdp', `Content-Base: ${url}/`], sdp);
      }
      case 'SETUP': {
        const transport = header('Transport') ?? '';
        if (!/TCP/i.test(transport)) {
          socket.write(`RTSP/1.0 461 Unsupported Transport\r\nCSeq: ${cseq}\r\n\r\n`);
          return;
        }
        return void reply(['Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'Session: 12345678;timeout=60']);
      }
      case 'PLAY':
        reply(['Session: 12345678', 'Range: npt=0.000-']);
        players.add(socket);
        srv.plays++;
        return;
      case 'TEARDOWN':
        players.delete(socket);
        reply(['Session: 12345678']);
        return;
      default:
        socket.write(`RTSP/1.0 405 Method Not Allowed\r\nCSeq: ${cseq}\r\n\r\n`);
    }
  }

  const srv: RtspTestServer = {
    url,
    sps: () => sps,
    plays: 0,
    async close() {
      ffmpeg.kill('SIGKILL');
      for (const s of players) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      udp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // DESCRIBE needs ffmpeg's SDP: wait for it (written at start)
  for (let i = 0; i < 200 && !existsSync(sdpFile); i++) await new Promise((r) => setTimeout(r, 25));
  return srv;
}
