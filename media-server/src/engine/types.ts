// The SFU engine's narrow interface, in mediasoup's vocabulary, so that another engine
// (mediasoup, where it installs) can stand in for werift. Signalling is SDP offer/answer
// (WHIP/WHEP, RFC 9725): a transport answers one offer and then carries one producer
// (a publisher's video) or one consumer (a viewer's copy of a producer).
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
}

export interface Producer extends EventEmitter<ProducerEvents> {
  readonly id: string;
  readonly streamId: string;
  /** e.g. video/VP8, video/H264; known once negotiated */
  readonly mimeType: string | undefined;
  readonly consumers: ReadonlyMap<string, Consumer>;
  readonly closed: boolean;
  stats(): ProducerStats;
  /**
   * asks the publisher for a keyframe (PLI, else FIR), at most once per `keyFrameRequestIntervalMs`;
   * a request inside the interval is sent when it ends, so no viewer waits for the next one.
   */
  requestKeyFrame(): void;
  /** taps every RTP packet the publisher sends, serialized (e.g. for recording); returns the unsubscribe */
  onRtp(listener: (packet: Buffer) => void): () => void;
  /** closes the producer; its consumers wait for a publisher under the same stream id. Safe twice. */
  close(): void;
}

export interface Consumer extends EventEmitter<ConsumerEvents> {
  readonly id: string;
  readonly streamId: string;
  /** the codec negotiated with the viewer; a returning publisher must send the same */
  readonly mimeType: string | undefined;
  /** true while the stream has no publisher */
  readonly paused: boolean;
  readonly closed: boolean;
  /** packets forwarded to the viewer */
  readonly packets: number;
  stats(): ConsumerStats;
  close(): void;
}

export interface WebRtcTransport extends EventEmitter<TransportEvents> {
  readonly id: string;
  readonly closed: boolean;
  /** answers a publisher's offer; the producer appears when its track arrives */
  publish(streamId: string, offerSdp: string): Promise<{ answerSdp: string; producer: Producer }>;
  /** answers a viewer's offer with a consumer of `producer` */
  consume(producer: Producer, offerSdp: string): Promise<{ answerSdp: string; consumer: Consumer }>;
  close(): void;
}

export interface Router {
  readonly producers: ReadonlyMap<string, Producer>;
  readonly transports: ReadonlyMap<string, WebRtcTransport>;
  createWebRtcTransport(): WebRtcTransport;
  /** registers a stream's producer until it closes */
  addProducer(producer: Producer): void;
  /** closes every transport; safe twice */
  close(): void;
}

export interface TransportOptions {
  /** how long viewers of a dropped publisher wait for it to return, ms; default 60000 */
  publisherReturnMs?: number;
  /** extra host candidates, e.g. 127.0.0.1 for tests on loopback */
  additionalHostAddresses?: string[];
  /** least time between two keyframe requests to a publisher, ms; default 500 */
  keyFrameRequestIntervalMs?: number;
  /** RTP packets of each producer kept to answer NACKs; default 1024 */
  packetCacheSize?: number;
  /** UDP port range for ICE; default any */
  portRange?: [number, number];
}
