// Fixes to werift 0.24.4 that every werift peer of ours needs, the hub's SFU and the edge
// agent's publisher alike. Importing this module applies them once per process.
import './dtls-retransmit'; // werift's DTLS client must survive a duplicate HelloVerifyRequest
import './consent-timeout'; // ICE consent answers delayed by an event-loop stall still count

export { CONSENT_ANSWER_MS, patientConsentChecks } from './consent-timeout';
