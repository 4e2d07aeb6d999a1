// werift 0.24.4 checks ICE consent (RFC 7675) every 4–6 s with one STUN request that waits
// max(500 ms, 2 × RTT + 200 ms) for its answer, and fails the connection 30 s after the last
// answer. A process whose event loop stalls runs its timers before the packets that waited in
// the socket, so every request that spans a stall of over 500 ms times out with its answer
// already there. On a loaded 2-core machine the SFU's loop stalled 300–900 ms every few
// seconds while viewers joined (bench/RESULTS.md, "Video fan-out"): the publisher's consent
// requests went unanswered for 30 s, ICE failed and the stream stopped for everyone.
//
// RFC 7675 fixes only the 30 s expiry; how long one request waits is the implementation's.
// Consent requests (the only STUN requests werift sends with no retransmission and its own
// timeout) wait at least CONSENT_ANSWER_MS here, still inside the 4 s before the next one.
//
// Upstream: the per-request wait this widens came with werift PR #649
// (https://github.com/shinyoshiaki/werift-webrtc/pull/649, RFC 7675 consent rework), which
// does not cover answers read only after a stall. No upstream issue found on 2026-12-07; to
// file: werift lets a consent answer that waited in the socket through an event-loop stall
// time out, and offers no setting for the wait. Drop this patch when werift has one.
import { StunProtocol } from 'werift';

export const CONSENT_ANSWER_MS = 3000;
const PATCHED = Symbol.for('hub.werift.consentAnswerWait');

interface TransactionOptions {
  retransmissions?: number;
  responseTimeout?: number;
}
type Request = (request: unknown, addr: unknown, integrityKey: unknown, options?: number | TransactionOptions, onRequestSent?: unknown) => Promise<unknown>;

export function patientConsentChecks(): void {
  const proto = StunProtocol.prototype as unknown as { request: Request; [PATCHED]?: true };
  if (proto[PATCHED]) return;
  const original = proto.request;
  if (typeof original !== 'function') throw new Error('werift StunProtocol.request is gone: check consent-timeout.ts against this werift version');
  proto.request = function (this: unknown, request, addr, integrityKey, options, onRequestSent) {
    if (typeof options === 'object' && options !== null && options.retransmissions === 0 && options.responseTimeout !== undefined && options.responseTimeout < CONSENT_ANSWER_MS) {
      options = { ...options, responseTimeout: CONSENT_ANSWER_MS };
    }
    return original.call(this, request, addr, integrityKey, options, onRequestSent);
  };
  proto[PATCHED] = true;
}

patientConsentChecks();
