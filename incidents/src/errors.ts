// Errors of incidents, dispatch and intake: each with a stable code and its HTTP status.
import type { IncidentState } from '@hub/config';
import { HubError } from '@hub/platform';

/** 404 HUB_ERR_INCIDENT_NOT_FOUND */
export class IncidentNotFoundError extends HubError {
  constructor(id: number) {
    super('HUB_ERR_INCIDENT_NOT_FOUND', 404, `incident ${id} does not exist`);
  }
}

/** 409 HUB_ERR_INCIDENT_TRANSITION: the move is not allowed from the incident's state; names the allowed ones. */
export class TransitionError extends HubError {
  constructor(id: number, from: IncidentState, to: IncidentState, allowed: readonly IncidentState[]) {
    super('HUB_ERR_INCIDENT_TRANSITION', 409, `incident ${id} is ${from}: it cannot go to ${to}; from ${from} it can go to ${allowed.length ? allowed.join(', ') : 'nothing'}`, { from, to, allowed });
  }
}

/** 400 HUB_ERR_REASON_REQUIRED: reopening needs a reason, for the audit trail. */
export class ReasonRequiredError extends HubError {
  constructor(id: number) {
    super('HUB_ERR_REASON_REQUIRED', 400, `reopening incident ${id} needs a reason (body.reason)`, [{ path: 'body.reason', message: 'required to reopen' }]);
  }
}

/** 409 HUB_ERR_INCIDENT_CLOSED: units cannot be dispatched to a resolved or closed incident. */
export class IncidentClosedError extends HubError {
  constructor(id: number, state: IncidentState) {
    super('HUB_ERR_INCIDENT_CLOSED', 409, `incident ${id} is ${state}: reopen it before dispatching units`, { state });
  }
}

/** 404 HUB_ERR_UNIT_NOT_FOUND for units named in a dispatch. */
export class DispatchUnitsNotFoundError extends HubError {
  constructor(unitIds: string[]) {
    super('HUB_ERR_UNIT_NOT_FOUND', 404, `no such unit: ${unitIds.join(', ')}`, { unitIds });
  }
}

/** 401 HUB_ERR_INTAKE_AUTH: no intake token, or one that is not accepted. */
export class IntakeAuthError extends HubError {
  constructor(present: boolean) {
    super(
      'HUB_ERR_INTAKE_AUTH',
      401,
      present
        ? 'The intake token was not accepted: send "Authorization: Bearer <intake token>" with a token an administrator created at POST /api/intake/clients.'
        : 'External events need an intake token: send "Authorization: Bearer <intake token>" (an administrator creates one at POST /api/intake/clients).',
    );
  }
}

/** 400 HUB_ERR_VALIDATION for a snapshot that is not a JPEG or too large. */
export class SnapshotError extends HubError {
  constructor(message: string) {
    super('HUB_ERR_VALIDATION', 400, `body.snapshot: ${message}`, [{ path: 'body.snapshot', message }]);
  }
}
