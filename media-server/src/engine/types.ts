// The SFU engine's narrow interface, in mediasoup's vocabulary: werift (engine/werift/) and
// mediasoup's C++ worker (engine/mediasoup/) stand behind it, and one contract suite
// (media-server/test/engine-contract/) runs against each. Figures are asynchronous, as a
// worker in another process answers them. Signalling is SDP offer/answer
// (WHIP/WHEP, RFC 9725): a transport answers one offer and then carries one producer
// (a publisher's video, with its audio producer beside it when the publisher sends audio) or
// one consumer (a viewer's copy of a producer, with an audio consumer when the viewer takes audio).
// A video producer may receive up to three simulcast layers (rid); each consumer forwards one.
import type { EventEmitter } from 'node:events';

export type ProducerEvents = {
  /** the publisher's transport closed, or the producer was closed */
  close: [];
};
export type ConsumerEvents = {
  /** the viewer went away, or its stream did not come back in time */
  close: [];
  /** the publisher dropped: the viewer waits, showing "reconnecting" */
  producerpause: [];
  /** a publisher is back under the same stream id: media flows again */
  producerresume: [];
};
export type TransportEvents = {
  close: [];
};

export type MediaKind = 'audio' | 'video';

/** One incoming RTP stream of a producer: a simulcast layer, or the only stream. */
export interface LayerStats {
  /** the simulcast rid; null for a stream without layers */
  rid: string | null;
  ssrc: number | null;
  /** frame size from the layer's last keyframe (VP8), when known */
  width: number | null;
  height: number | null;
  packets: number;
  /** payload bits per second over the last ~2 s */
  bitrate: number;
  fps: number;
}

export interface ProducerStats {
  /** RTP packets received from the publisher */
  packets: number;
  /** RTP payload bytes received */
  bytes: number;
  /** keyframe requests (PLI, or FIR where the publisher only knows FIR) sent to the publisher */
  keyFrameRequests: number;
  /** epoch ms of the first packet */
  since: number | null;
  /** frames per second over the last ~2 s (a frame = a new RTP timestamp) */
  fps: number;
  /** payload bits per second over the last ~2 s */
  bitrate: number;
  /** frames received so far, and how many of them started a keyframe */
  frames: number;
  keyFrames: number;
  /** packets missing from the publisher's sequence numbers so far (RFC 3550 §A.3) */
  packetsLost: number;
  /** share of the publisher's packets lost over the last ~2 s, 0..1 */
  fractionLost: number;
  /** viewers' NACKed packets resent from the SFU's packet cache, and those no longer cached */
  nacksAnswered: number;
  nacksMissed: number;
  /** one entry per viewer */
  consumers: ConsumerStats[];
  /** the incoming streams: one, or one per simulcast layer in the publisher's order */
  layers: LayerStats[];
}

export interface ConsumerStats {
  id: string;
  /** packets forwarded to the viewer, not counting retransmissions */
  packets: number;
  bytes: number;
  /** packets the viewer asked for again (NACK) and the SFU resent */
  retransmitted: number;
  /** keyframe requests from the viewer (PLI + FIR) */
  keyFrameRequests: number;
  /** from the viewer's receiver reports, when it has sent one */
  packetsLost: number | null;
  fractionLost: number | null;
  roundTripMs: number | null;
  /** the viewer's bandwidth estimate (REMB), bits/s, when it sends one */
  estimatedBitrate: number | null;
  kind: MediaKind;
  /** the simulcast layer (rid) being forwarded; null without layers or before the first */
  layer: string | null;
  /** the tallest picture the viewer asked for, device pixels; null = the tallest layer */
  maxHeight: number | null;
}

export interface Producer extends EventEmitter<ProducerEvents> {
  readonly id: string;
  readonly streamId: string;
  readonly kind: MediaKind;
  /** e.g. video/VP8, video/H264, audio/opus; known once negotiated */
  readonly mimeType: string | undefined;
  /** a video producer's audio (Opus) from the same publisher transport, when it sends audio */
  readonly audio: Producer | undefined;
  readonly consumers: ReadonlyMap<string, Consumer>;
  readonly closed: boolean;
  stats(): Promise<ProducerStats>;
  /** the packets received from the publisher so far: what liveness needs, without every viewer's figures that stats() gathers */
  packetsIn(): Promise<number>;
  /**
   * asks the publisher for a keyframe (PLI, else FIR), at most once per `keyFrameRequestIntervalMs`;
   * a request inside the interval is sent when it ends, so no viewer waits for the next one.
   */
  requestKeyFrame(): void;
  /**
   * taps every RTP packet the publisher sends, serialized (e.g. for recording); of a simulcast
   * producer, the packets of its first layer in the offer (the body cam offers full size first);
   * returns the unsubscribe
   */
  onRtp(listener: (packet: Buffer) => void): () => void;
  /** closes the producer; its consumers wait for a publisher under the same stream id. Safe twice. */
  close(): void;
}

export interface Consumer extends EventEmitter<ConsumerEvents> {
  readonly id: string;
  readonly streamId: string;
  readonly kind: MediaKind;
  /** the codec negotiated with the viewer; a returning publisher must send the same */
  readonly mimeType: string | undefined;
  /** a video consumer's audio consumer, when the viewer's offer takes audio */
  readonly audio: Consumer | undefined;
  /** true while the stream has no publisher */
  readonly paused: boolean;
  readonly closed: boolean;
  stats(): Promise<ConsumerStats>;
  /**
   * the tallest picture the viewer shows, device pixels: of a simulcast producer it gets the
   * smallest layer at least that tall (else the tallest), switching at that layer's keyframe;
   * undefined = the tallest layer (the default)
   */
  setMaxHeight(maxHeight: number | undefined): void;
  /** asks the producer for a keyframe of the layer this viewer gets (rate-limited) */
  requestKeyFrame(): void;
  close(): void;
}

export interface ConsumeOptions {
  /** see Consumer.setMaxHeight; default the tallest layer */
  maxHeight?: number;
}

export interface WebRtcTransport extends EventEmitter<TransportEvents> {
  readonly id: string;
  readonly closed: boolean;
  /** answers a publisher's offer; the producer appears when its track arrives */
  publish(streamId: string, offerSdp: string): Promise<{ answerSdp: string; producer: Producer }>;
  /** answers a viewer's offer with a consumer of `producer` (and of its audio, when the offer takes audio) */
  consume(producer: Producer, offerSdp: string, opts?: ConsumeOptions): Promise<{ answerSdp: string; consumer: Consumer }>;
  close(): void;
}

export interface Router {
  readonly producers: ReadonlyMap<string, Producer>;
  readonly transports: ReadonlyMap<string, WebRtcTransport>;
  createWebRtcTransport(): WebRtcTransport;
  /** registers a stream's producer until it closes */
  addProducer(producer: Producer): void;
  /**
   * an engine that limits viewers itself (mediasoup: `viewersPerWorker` on each worker) throws
   * ViewerLimitError here when it has no room for one more; absent, `media.maxViewers` limits them all
   */
  checkViewerRoom?(): void;
  /** closes every transport; safe twice */
  close(): void;
}

export interface TransportOptions {
  /** how long viewers of a dropped publisher wait for it to return, ms; default 60000 */
  publisherReturnMs?: number;
  /** extra host candidates, e.g. 127.0.0.1 for tests on loopback */
  additionalHostAddresses?: string[];
  /**
   * a connected peer silent (no RTP, no RTCP) this long is taken as gone and closed, ms; default 10000.
   * mediasoup: the ICE consent timeout (RFC 7675), at least 12 s, as its worker watches consent checks
   */
  peerTimeoutMs?: number;
  /** least time between two keyframe requests to a publisher, ms; default 500 */
  keyFrameRequestIntervalMs?: number;
  /** RTP packets of each producer kept to answer NACKs; default 1024 */
  packetCacheSize?: number;
  /** UDP port range for ICE; default any */
  portRange?: [number, number];
}
