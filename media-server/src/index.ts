export type { Router, Producer, Consumer, WebRtcTransport, TransportOptions, ProducerStats, ConsumerStats } from './engine/types';
export { isKeyFrame, isVp8KeyFrame, isH264KeyFrame } from './engine/rtp/keyframe';
export { WeriftRouter } from './engine/werift/router';
export { whipWhep, type WhipWhepOptions, type MediaAuthorize } from './whip-whep';
export { attachSignalling, type SignallingOptions, type MediaNamespace } from './signalling';
export * from './errors';
export { checkViewerLimit, viewerCount } from './viewer-limit';
export { claimStream, CLAIM_PROBE_MS } from './stream-claim';
export { watchPublisherLiveness, type LivenessOptions } from './signalling-liveness';
