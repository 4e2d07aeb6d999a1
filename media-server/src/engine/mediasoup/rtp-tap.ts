// A producer's RTP out of the worker into this process, for the recorder: a PlainTransport
// consumer (no comedia, RTP and RTCP on one port) sending to a UDP socket on loopback. The
// worker has no JS-side packet hook; this costs one more consumer of the stream.
import dgram from 'node:dgram';
import type { types } from 'mediasoup';

/** RTCP packet types 192–223 share the port with RTP (RFC 5761 §4): the tap passes RTP only. */
const isRtcp = (packet: Buffer) => packet.length >= 2 && packet[1]! >= 192 && packet[1]! <= 223;

export class RtpTap {
  readonly #listeners = new Set<(packet: Buffer) => void>();
  #socket: dgram.Socket | undefined;
  #transport: types.PlainTransport | undefined;
  #consumer: types.Consumer | undefined;
  #closed = false;
  readonly ready: Promise<void>;

  constructor(router: types.Router, producer: types.Producer) {
    this.ready = this.#open(router, producer).catch(() => this.close());
  }

  async #open(router: types.Router, producer: types.Producer): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.#socket = socket;
    socket.on('message', (packet) => {
      if (isRtcp(packet)) return;
      for (const l of this.#listeners) l(packet);
    });
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
    this.#transport = transport;
    if (this.#closed) return void transport.close();
    await transport.connect({ ip: '127.0.0.1', port: socket.address().port });
    // the router's codecs without feedback or header extensions: plain RTP, as ffmpeg reads it
    const codecs = (router.rtpCapabilities.codecs ?? []).map((c) => ({ ...c, rtcpFeedback: [] }));
    this.#consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: { codecs, headerExtensions: [] } });
    if (this.#closed) this.close();
  }

  get size(): number {
    return this.#listeners.size;
  }

  add(listener: (packet: Buffer) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** the tap's own consumer, to ask the publisher for a keyframe through */
  get consumer(): types.Consumer | undefined {
    return this.#consumer;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#transport?.close();
    try {
      this.#socket?.close();
    } catch {
      /* not bound yet */
    }
  }
}
