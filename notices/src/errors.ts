// Errors of the notice loop: each with a stable code and its HTTP status.
import { HubError } from '@hub/platform';

/** 404 HUB_ERR_SUBJECT_NOT_FOUND */
export class SubjectNotFoundError extends HubError {
  constructor(kind: string, id: string) {
    super('HUB_ERR_SUBJECT_NOT_FOUND', 404, `no ${kind} ${id} in the subject registry`);
  }
}

/** 404 HUB_ERR_NOTICE_CASE_NOT_FOUND: the incident was not opened with a notice. */
export class NoticeCaseNotFoundError extends HubError {
  constructor(incidentId: number) {
    super('HUB_ERR_NOTICE_CASE_NOT_FOUND', 404, `incident ${incidentId} has no notice case: it was not opened with a notice to its subject`);
  }
}

/** 409 HUB_ERR_NOTICE_CASE_PHASE: an operator's confirmation only counts once the grace period is over and the case is still open. */
export class NoticeCasePhaseError extends HubError {
  constructor(incidentId: number, phase: string, graceEndsAt: string) {
    super(
      'HUB_ERR_NOTICE_CASE_PHASE',
      409,
      phase === 'noticed'
        ? `incident ${incidentId} is still in its grace period until ${graceEndsAt}: the subject has until then to put it right`
        : `incident ${incidentId}'s notice case is ${phase}: there is nothing left to confirm`,
      { phase, graceEndsAt },
    );
  }
}

/** 400 HUB_ERR_SUBJECT_IMPORT: the file cannot be read as the documented CSV (its header). */
export class SubjectImportError extends HubError {
  constructor(message: string) {
    super('HUB_ERR_SUBJECT_IMPORT', 400, message);
  }
}

/** An SMS gateway refused or did not answer: the notice is failed with this code in the trail. */
export class SmsSendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * 401 HUB_ERR_SMS_RECEIPT_REFUSED: a delivery-report post not signed with the shared secret, or
 * signed too long ago (a replay); 400 for a signed post whose body is not the provider's reports.
 */
export class ReceiptRefusedError extends HubError {
  constructor(
    readonly reason: 'off' | 'signature' | 'stale' | 'body',
    message: string,
    status = 401,
  ) {
    super(status === 401 ? 'HUB_ERR_SMS_RECEIPT_REFUSED' : 'HUB_ERR_SMS_RECEIPT_BODY', status, message, { reason });
  }
}
