export {
  Recorder,
  type RecorderOptions,
  type StartRecordingOptions,
  type StopRecordingOptions,
  type KeepPredicate,
  type SweepResult,
  type RecorderEvents,
  type IncidentRecordings,
  type RecordingStall,
} from './recorder';
export { recordingApi, type RecordingApiOptions } from './api';
export { buildPlaylist } from './playlist';
export { parsePlaylist, findFfmpeg } from './ffmpeg-part';
export * from './errors';
