export type { Router, Producer, Consumer, WebRtcTransport, TransportOptions, ProducerStats, ConsumerStats } from './engine/types';
export { isKeyFrame, isVp8KeyFrame, isH264KeyFrame } from './engine/rtp/keyframe';
export { WeriftRouter } from './engine/werift/router';
export { whipWhep, type WhipWhepOptions } from './whip-whep';
export * from './errors';
