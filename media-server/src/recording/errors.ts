// Errors of recordings, each with a stable code and the HTTP status it maps to.
import { MediaError } from '../errors';

export class RecordingNotFoundError extends MediaError {
  constructor(id: string) {
    super('HUB_ERR_RECORDING_NOT_FOUND', 404, `recording "${id}" does not exist (deleted by the retention sweep?)`);
  }
}

export class SegmentNotFoundError extends MediaError {
  constructor(id: string, seq: number) {
    super('HUB_ERR_RECORDING_SEGMENT_NOT_FOUND', 404, `recording "${id}" has no segment ${seq}`);
  }
}

export class RecorderClosedError extends MediaError {
  constructor() {
    super('HUB_ERR_RECORDER_CLOSED', 503, 'the recorder is shutting down: no new recording can start');
  }
}
