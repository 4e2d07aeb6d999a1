export type { Router, Producer, Consumer, WebRtcTransport, TransportOptions, ProducerStats } from './engine/types';
export { WeriftRouter } from './engine/werift/router';
export { whipWhep, type WhipWhepOptions } from './whip-whep';
export * from './errors';
