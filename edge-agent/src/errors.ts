// Errors of the edge agent. Each carries a stable `code` (HUB_ERR_AGENT_<WHAT>).

export class AgentError extends Error {
  /** stable, for programs: e.g. HUB_ERR_AGENT_AUTH */
  readonly code: string;
  constructor(code: `HUB_ERR_AGENT_${string}`, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The broker refused the unit's credential: retrying with the same secret cannot succeed. */
export class AgentAuthError extends AgentError {
  /** the CONNACK return/reason code */
  readonly returnCode: number;
  constructor(unitId: string, returnCode: number) {
    super(
      'HUB_ERR_AGENT_AUTH',
      `the broker refused unit ${JSON.stringify(unitId)} (CONNACK code ${returnCode}: ` +
        `${returnCode === 5 || returnCode === 135 ? 'not authorized' : 'bad username or password'}); ` +
        'check the unit id and secret, or issue a new credential (POST /api/units/:id/credential)',
    );
    this.returnCode = returnCode;
  }
}

/** Bad command-line arguments or options. */
export class AgentOptionsError extends AgentError {
  constructor(message: string) {
    super('HUB_ERR_AGENT_OPTIONS', message);
  }
}

/** The queue folder cannot be used (unreadable, or held by another agent). */
export class QueueError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HUB_ERR_AGENT_QUEUE', message, options);
  }
}

/** A GPS source cannot be opened or read. */
export class GpsSourceError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HUB_ERR_AGENT_GPS', message, options);
  }
}

/** The hub's REST API answered with an error (fleet simulator provisioning). */
export class HubApiError extends AgentError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('HUB_ERR_AGENT_HUB_API', message);
    this.status = status;
  }
}
