// Errors of departments, routing, the hotline and verification: each with a stable code and its HTTP status.
import { HubError } from '@hub/platform';

/** 404 HUB_ERR_DEPARTMENT_NOT_FOUND */
export class DepartmentNotFoundError extends HubError {
  constructor(id: number) {
    super('HUB_ERR_DEPARTMENT_NOT_FOUND', 404, `department ${id} does not exist`);
  }
}

/** 409 HUB_ERR_DEPARTMENT_NAME_TAKEN: names are unique, so the wall and the reports can show them alone. */
export class DepartmentNameTakenError extends HubError {
  constructor(name: string) {
    super('HUB_ERR_DEPARTMENT_NAME_TAKEN', 409, `a department named "${name}" exists already`);
  }
}

/** 409 HUB_ERR_DEPARTMENT_IN_USE: a department with cases stays (their assessment needs it); change it instead. */
export class DepartmentInUseError extends HubError {
  constructor(id: number, cases: number) {
    super('HUB_ERR_DEPARTMENT_IN_USE', 409, `department ${id} has ${cases} case(s): it cannot be deleted; change its case types instead`, { cases });
  }
}

/** 409 HUB_ERR_TRANSFER: a case can go to another department only while it is open. */
export class TransferError extends HubError {
  constructor(incidentId: number, why: string) {
    super('HUB_ERR_TRANSFER', 409, `incident ${incidentId} cannot be transferred: ${why}`);
  }
}

/** 409 HUB_ERR_EVIDENCE_REQUIRED: verification (核查) — an enforcement case closes only with a photo from the scene. */
export class EvidenceRequiredError extends HubError {
  constructor(incidentId: number, type: string) {
    super(
      'HUB_ERR_EVIDENCE_REQUIRED',
      409,
      `incident ${incidentId} (${type}) needs a photo from the scene before it is closed: the responding unit takes one with "Capture evidence" on its body cam`,
      { type },
    );
  }
}

/** 403 HUB_ERR_EVIDENCE_NOT_DISPATCHED: only a unit that accepted the incident's dispatch sends its evidence. */
export class EvidenceNotDispatchedError extends HubError {
  constructor(incidentId: number, unitId: string) {
    super('HUB_ERR_EVIDENCE_NOT_DISPATCHED', 403, `unit ${unitId} has not accepted a dispatch to incident ${incidentId}, or the incident is over: its evidence is not taken`);
  }
}

/** 401 HUB_ERR_EVIDENCE_AUTH: the upload carries the unit's own credential, `Bearer {unitId}:{secret}`. */
export class EvidenceAuthError extends HubError {
  constructor() {
    super('HUB_ERR_EVIDENCE_AUTH', 401, 'evidence is sent by a unit with its credential: Authorization: Bearer {unitId}:{secret}');
  }
}

/** 400 HUB_ERR_EVIDENCE_PHOTO: not a JPEG, empty, or too large. */
export class EvidencePhotoError extends HubError {
  constructor(why: string) {
    super('HUB_ERR_EVIDENCE_PHOTO', 400, `the evidence photo ${why}`);
  }
}

/** 409 HUB_ERR_CLOSE_OVERRIDE: an override is for a case that cannot close otherwise (no photo from the scene). */
export class CloseOverrideError extends HubError {
  constructor(incidentId: number, why: string) {
    super('HUB_ERR_CLOSE_OVERRIDE', 409, `incident ${incidentId} is not closed by override: ${why}`);
  }
}
