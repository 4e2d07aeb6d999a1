// The JT/T 1078 media port: a terminal answers 0x9101 by dialling it over TCP and sending one
// channel's stream of Table 19 packets. The connection is the stream of its first packet's SIM
// and logical channel; the gateway admits it only for a terminal it asked (admit), and the
// frames go to the sink it returns (the hub's SFU publisher). A refused connection is closed and
// counted; bad bytes inside an admitted one are refused and counted and the frames go on.
import net from 'node:net';
import { listenOn } from '../listen';
import type { Logger } from 'pino';
import type { Jt1078Metrics } from '../gateway/metrics';
import { FrameAssembler, type MediaFrame } from './frames';
import { MediaDataType, MediaPayloadType, type MediaPacket } from './packet';
import { g711LawOf, g711Samples, type G711Law } from './g711';
import { MediaStreamDecoder } from './stream';

/** Where an admitted stream's frames go. */
export interface VideoSink {
  /** a whole H.264 frame (Annex B), in order */
  video(frame: MediaFrame): void;
  /** an audio frame's G.711 samples (8 kHz mono), a HiSilicon header taken off */
  audio(law: G711Law, samples: Buffer): void;
  /** the stream ended (the terminal hung up, or the hub stopped it) */
  close(): void;
}

export type Admission = { sink: VideoSink; unitId: string } | { refused: 'unknown_stream' | 'not_requested' | 'no_media'; why: string };

export interface MediaListenerOptions {
  /** who the first packet says this is: the sink for its frames, or why not */
  admit(sim: string, channel: number): Promise<Admission>;
  metrics: Jt1078Metrics;
  log: Logger;
  /** a connection without a packet for this long is closed, ms; default 30000 */
  idleTimeoutMs?: number;
}

/** packets kept while the first one's admission is decided; past it the connection is not read */
const MAX_WAITING = 256;

export class Jt1078MediaListener {
  readonly #opts: MediaListenerOptions;
  readonly #connections = new Set<MediaConnection>();
  #server: net.Server | undefined;

  constructor(opts: MediaListenerOptions) {
    this.#opts = opts;
  }

  listen(host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => {
      const connection = new MediaConnection(socket, this.#opts, () => {
        this.#connections.delete(connection);
        this.#opts.metrics.connections.set(this.#connections.size);
      });
      this.#connections.add(connection);
      this.#opts.metrics.connections.set(this.#connections.size);
    });
    this.#server = server;
    return listenOn(server, host, port);
  }

  /** Ends the streams of this unit's channel (0x9102 sent, or its terminal gone); every channel when none is given. */
  closeStreams(unitId: string, channel?: number): void {
    for (const c of this.#connections) if (c.unitId === unitId && (channel === undefined || c.channel === channel)) c.close();
  }

  /** Safe twice. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const stopped = new Promise<void>((r) => (server?.listening ? server.close(() => r()) : r()));
    for (const c of this.#connections) c.close();
    await stopped;
  }
}

class MediaConnection {
  readonly #decoder = new MediaStreamDecoder();
  readonly #assembler = new FrameAssembler();
  readonly #log: Logger;
  #stream: { sim: string; channel: number } | undefined;
  #sink: VideoSink | undefined;
  unitId: string | undefined;
  /** packets that came while the first one's admission was being decided */
  #waiting: MediaPacket[] | undefined;
  /** codecs already refused on this connection (counted once per frame, logged once) */
  #refusedCodec = false;
  #refusedAudioCodec = false;

  constructor(
    readonly socket: net.Socket,
    private readonly opts: MediaListenerOptions,
    closed: () => void,
  ) {
    this.#log = opts.log.child({ remote: `${socket.remoteAddress}:${socket.remotePort}` });
    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs ?? 30_000, () => {
      this.#log.info({ unitId: this.unitId }, 'JT/T 1078 stream silent; closing it');
      socket.destroy();
    });
    socket.on('data', (chunk) => this.#received(chunk));
    socket.on('error', (err) => this.#log.debug({ err: err.message }, 'JT/T 1078 connection error'));
    socket.once('close', () => {
      this.#sink?.close();
      this.#sink = undefined;
      closed();
    });
  }

  get channel(): number | undefined {
    return this.#stream?.channel;
  }

  close(): void {
    this.socket.destroy();
  }

  #received(chunk: Buffer): void {
    for (const result of this.#decoder.push(chunk)) {
      if (!result.ok) {
        this.#refuse(result.error.reason, result.error.message);
        this.#assembler.reset();
        continue;
      }
      const packet = result.packet;
      if (!this.#stream) {
        this.#stream = { sim: packet.sim, channel: packet.channel };
        this.#waiting = [packet];
        void this.#admit(packet.sim, packet.channel);
      } else if (packet.sim !== this.#stream.sim || packet.channel !== this.#stream.channel) {
        // one connection, one stream (the first packet's): another SIM or channel here is not taken
        this.#refuse('wrong_stream', `a packet of ${packet.sim} channel ${packet.channel} on the stream of ${this.#stream.sim} channel ${this.#stream.channel}`);
      } else if (this.#waiting) {
        this.#waiting.push(packet);
        if (this.#waiting.length >= MAX_WAITING) this.socket.pause();
      } else this.#packet(packet);
    }
  }

  async #admit(sim: string, channel: number): Promise<void> {
    let admission: Admission;
    try {
      admission = await this.opts.admit(sim, channel);
    } catch (err) {
      this.#log.error({ err, sim, channel }, 'JT/T 1078 stream could not be admitted');
      admission = { refused: 'no_media', why: `the hub could not take the stream: ${(err as Error).message}` };
    }
    if ('refused' in admission) {
      this.#refuse(admission.refused, `stream of ${sim} channel ${channel} refused: ${admission.why}`);
      return this.close();
    }
    if (this.socket.destroyed) return admission.sink.close();
    this.#sink = admission.sink;
    this.unitId = admission.unitId;
    this.#log.info({ unitId: admission.unitId, sim, channel }, 'JT/T 1078 stream admitted');
    const waiting = this.#waiting ?? [];
    this.#waiting = undefined;
    for (const p of waiting) this.#packet(p);
    this.socket.resume();
  }

  #packet(packet: MediaPacket): void {
    const { frame, refused } = this.#assembler.add(packet);
    if (refused) this.#refuse(refused.reason, refused.message);
    if (!frame) return;
    const { metrics } = this.opts;
    if (frame.dataType === MediaDataType.audio) {
      const law = g711LawOf(frame.payloadType);
      if (!law) {
        // G.726, ADPCM, AAC…: browsers' WebRTC takes none of them, and the hub transcodes only G.711 (README)
        if (!this.#refusedAudioCodec) this.#log.warn({ unitId: this.unitId, payloadType: frame.payloadType }, 'JT/T 1078 audio that is not G.711 (payload type 6 or 7) is not carried');
        this.#refusedAudioCodec = true;
        return metrics.frames.inc({ kind: 'audio', fate: 'dropped' });
      }
      metrics.frames.inc({ kind: 'audio', fate: 'forwarded' });
      return this.#sink?.audio(law, g711Samples(frame.data));
    }
    if (frame.dataType === MediaDataType.transparent) return metrics.frames.inc({ kind: 'transparent', fate: 'dropped' });
    if (frame.payloadType !== MediaPayloadType.h264) {
      // H.265 (99) and the rest: browsers' WebRTC takes H.264, and the hub does not transcode
      if (!this.#refusedCodec) this.#log.warn({ unitId: this.unitId, payloadType: frame.payloadType }, 'JT/T 1078 video that is not H.264 (payload type 98) is not carried');
      this.#refusedCodec = true;
      metrics.frames.inc({ kind: 'video', fate: 'dropped' });
      return metrics.refused.inc({ reason: 'unsupported_codec' });
    }
    metrics.frames.inc({ kind: 'video', fate: 'forwarded' });
    this.#sink?.video(frame);
  }

  #refuse(reason: string, why: string): void {
    this.opts.metrics.refused.inc({ reason });
    this.#log.debug({ reason, unitId: this.unitId }, why);
  }
}
