// A refusal from the hub in the operator's language: the hub's error code picks the sentence
// (its own sentence is English); a code the wall does not know shows the hub's sentence.
import type { MessageKey, Translate } from './index';

/** The hub's error codes an operator meets at the wall, with their message. */
const BY_CODE: Partial<Record<string, MessageKey>> = {
  HUB_ERR_FORBIDDEN: 'error.forbidden',
  HUB_ERR_PRESET_LIMIT: 'error.presetLimit',
  HUB_ERR_PRESET_NOT_FOUND: 'error.presetNotFound',
  HUB_ERR_OPERATOR_EXISTS: 'error.operatorExists',
  HUB_ERR_INCIDENT_NOT_FOUND: 'error.incidentNotFound',
  HUB_ERR_INCIDENT_CLOSED: 'error.incidentClosed',
  HUB_ERR_UNIT_NOT_FOUND: 'error.unitNotFound',
  HUB_ERR_INTERNAL: 'error.internal',
  // the video path (tiles)
  HUB_ERR_STREAM_STALLED: 'error.streamStalled',
  HUB_ERR_MEDIA_DISCONNECTED: 'error.mediaDisconnected',
  HUB_ERR_STREAM_ENDED: 'error.streamEnded',
  HUB_ERR_PUBLISHER_LEFT: 'error.publisherLeft',
  HUB_ERR_PEER_FAILED: 'error.peerFailed',
  HUB_ERR_MEDIA_TIMEOUT: 'error.mediaTimeout',
  HUB_ERR_MEDIA_UNREACHABLE: 'error.mediaUnreachable',
  HUB_ERR_UNIT_OFFLINE: 'error.unitOffline',
  HUB_ERR_STREAM_START_TIMEOUT: 'error.streamStartTimeout',
  HUB_ERR_STREAM_NOT_FOUND: 'error.streamNotFound',
  HUB_ERR_AUTH_INVALID: 'error.authInvalid',
  HUB_ERR_AUTH_REQUIRED: 'error.authRequired',
  HUB_ERR_VIEWER_LIMIT: 'error.viewerLimit',
  // JT/T 808 vehicle terminals
  HUB_ERR_JT808_NO_ANSWER: 'error.jt808NoAnswer',
  HUB_ERR_UNIT_NOT_TERMINAL: 'error.unitNotTerminal',
  HUB_ERR_JT808_COMMAND_UNSUPPORTED: 'error.jt808CommandUnsupported',
  // JT/T 1078: a terminal's cameras
  HUB_ERR_CAMERA_NOT_FOUND: 'error.cameraNotFound',
  HUB_ERR_JT1078_NO_MEDIA_PORT: 'error.jt1078NoMediaPort',
  // departments: verification, the hotline, transfers
  HUB_ERR_EVIDENCE_REQUIRED: 'error.evidenceRequired',
  HUB_ERR_HOTLINE_PHONE: 'error.hotlinePhone',
  HUB_ERR_TRANSFER: 'error.transfer',
  HUB_ERR_CLOSE_OVERRIDE: 'error.closeOverride',
  HUB_ERR_DEPARTMENT_NAME_TAKEN: 'error.departmentNameTaken',
  HUB_ERR_DEPARTMENT_IN_USE: 'error.departmentInUse',
};

/** What the wall says about a failed call: `err` is a HubApiError-like ({code, message}) or anything thrown. */
export function errorText(t: Translate, err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : '';
  if (!code) return t('error.network');
  const key = BY_CODE[code];
  if (key) return t(key);
  // the hub's details (which field, which limit) are worth more than a vague sentence
  if (code === 'HUB_ERR_VALIDATION') return t('error.validation', { detail: message });
  return message || code;
}
