// Errors of the media server, each with a stable code and the HTTP status it maps to.
export class MediaError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export class StreamNotFoundError extends MediaError {
  constructor(streamId: string) {
    super('HUB_ERR_STREAM_NOT_FOUND', 404, `stream "${streamId}" is not being published`);
  }
}

export class StreamBusyError extends MediaError {
  constructor(streamId: string) {
    super('HUB_ERR_STREAM_BUSY', 409, `stream "${streamId}" already has a publisher`);
  }
}

export class SessionNotFoundError extends MediaError {
  constructor(id: string) {
    super('HUB_ERR_SESSION_NOT_FOUND', 404, `session "${id}" does not exist (already closed?)`);
  }
}

export class InvalidOfferError extends MediaError {
  constructor(reason: string) {
    super('HUB_ERR_SDP_OFFER', 400, `the SDP offer was not accepted: ${reason}`);
  }
}

export class InvalidStateError extends MediaError {
  constructor(message: string) {
    super('HUB_ERR_MEDIA_STATE', 409, message);
  }
}
