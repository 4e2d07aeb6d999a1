// Errors of the media server, on the hub's one base class (@hub/platform): each with a stable
// code and the HTTP status it maps to.
import { HubError } from '@hub/platform';

export { MethodNotAllowedError } from '@hub/platform';

/** An error of the SFU, WHIP/WHEP or recordings. */
export class MediaError extends HubError {}

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

export class ViewerLimitError extends MediaError {
  /** `limit` viewers on the whole SFU (werift), or 'per worker' on every worker (mediasoup) */
  constructor(limit: number, scope: 'in all' | 'per worker' = 'in all') {
    super(
      'HUB_ERR_VIEWER_LIMIT',
      503,
      scope === 'per worker'
        ? `every video worker already carries its limit of ${limit} viewers: close a video tile elsewhere, or raise media.viewersPerWorker (or media.workers) if this server has the CPU for more`
        : `the video server already carries its limit of ${limit} viewers: close a video tile elsewhere, or raise media.maxViewers if this server has the CPU for more`,
    );
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

export class AuthRequiredError extends MediaError {
  constructor(action: string) {
    super('HUB_ERR_AUTH_REQUIRED', 401, `a credential is required for ${action}: an operator token to view, a unit's "unitId:secret" or an operator token to publish`);
  }
}

export class AuthInvalidError extends MediaError {
  constructor(action: 'publish' | 'view', streamId: string) {
    super(
      'HUB_ERR_AUTH_INVALID',
      401,
      action === 'view'
        ? `the credential may not view stream ${streamId}: viewing needs a valid operator token`
        : `the credential may not publish stream ${streamId}: a unit publishes only its own stream, with its current secret`,
    );
  }
}

export class BadRequestError extends MediaError {
  constructor(reason: string) {
    super('HUB_ERR_BAD_REQUEST', 400, `the request is malformed: ${reason}`);
  }
}

/** Said to a stream's viewers while its publisher is away (they wait for it, up to publisherReturnMs). */
export class PublisherLeftError extends MediaError {
  constructor(streamId: string) {
    super('HUB_ERR_PUBLISHER_LEFT', 503, `the camera of stream "${streamId}" stopped sending: waiting for it to come back`);
  }
}

export class StreamEndedError extends MediaError {
  constructor(streamId: string) {
    super('HUB_ERR_STREAM_ENDED', 410, `stream "${streamId}" ended (its publisher left and did not come back in time, or the session closed)`);
  }
}

export class ForbiddenError extends MediaError {
  constructor(message: string) {
    super('HUB_ERR_FORBIDDEN', 403, message);
  }
}

export class BodyTooLargeError extends MediaError {
  constructor(limitBytes: number) {
    super('HUB_ERR_BODY_TOO_LARGE', 413, `the SDP offer is larger than ${Math.round(limitBytes / 1024)} KiB, the most the video server takes: send an offer without unused codecs or media sections`);
  }
}
