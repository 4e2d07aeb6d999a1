export type { Router, Producer, Consumer, WebRtcTransport, TransportOptions, ProducerStats, ConsumerStats } from './engine/types';
export { isKeyFrame, isVp8KeyFrame, isH264KeyFrame } from './engine/rtp/keyframe';
export { h264SpsFromRtp, h264SpsPictureSize } from './engine/rtp/h264-sps';
export { WeriftRouter } from './engine/werift/router';
export { MediasoupRouter, type MediasoupRouterOptions } from './engine/mediasoup/router';
export { createRouter, type EngineName } from './engine/create';
export {
  whipWhep,
  type WhipWhepOptions,
  type MediaAuthorize,
  type MediaGrant,
  type PublishEvent,
  type OnPublish,
  type WhepRelay,
  type RelayedRequest,
  type RelayedAnswer,
  RELAYED_HEADER,
} from './whip-whep';
export { checkOfferDirection, mediaSections, type MediaSection, type Direction } from './offer-direction';
export { attachSignalling, type SignallingOptions, type MediaNamespace, type MediaPeer } from './signalling';
export * from './errors';
export { checkViewerLimit, viewerCount } from './viewer-limit';
export { claimStream, CLAIM_PROBE_MS } from './stream-claim';
export { watchPublisherLiveness, type LivenessOptions } from './signalling-liveness';
export { mediaMigrations } from './migrations';
export { Recorder, recordingApi, type RecorderOptions, type StartRecordingOptions, type StopRecordingOptions, type RecordingApiOptions, type RecordingStall } from './recording/index';
