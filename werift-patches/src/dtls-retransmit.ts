// werift 0.24.4's DTLS client fails the handshake when a HelloVerifyRequest comes twice.
//
// The client resends its ClientHello when no answer came within 500 ms (its first
// retransmission timer). A peer that was slow to answer (a loaded machine, a stalled event
// loop) then answers both ClientHellos with a HelloVerifyRequest; werift takes the second one
// as the start of flight 3 again, throws (`Flight3.exec`: "flight === 3") and the whole DTLS
// transport fails. The SFU is the DTLS client of every viewer and publisher (it answers their
// offers with `a=setup:active`), so under load new viewers' transports failed and they never
// got a frame (bench/RESULTS.md, "Video fan-out").
//
// RFC 6347 §4.2.1: a HelloVerifyRequest is answered with a ClientHello carrying its cookie;
// one more with the same cookie needs nothing new, since flight 3's own timer resends. So once
// the client is in flight 3 or later, a HelloVerifyRequest is dropped. (The werift server's
// cookie is fixed for the session, so the first one is as good as the second.)
//
// Upstream: no werift issue or PR found on 2026-12-07; to file: werift's DtlsClient fails the
// handshake on a second HelloVerifyRequest instead of ignoring or answering it (pion/dtls
// answers it, https://github.com/pion/dtls/pull/276; werift PR #332 fixed only the server side
// of repeated ClientHellos, https://github.com/shinyoshiaki/werift-webrtc/pull/332).
import { DtlsClient } from 'werift';

const HELLO_VERIFY_REQUEST = 3;
const PATCHED = Symbol.for('hub.werift.dtlsClientDuplicateHelloVerify');

interface HandshakeFragment {
  msg_type: number;
}
interface ClientInternals {
  dtls: { flight: number };
  handleFragmentHandshake(messages: HandshakeFragment[]): HandshakeFragment[];
  [PATCHED]?: true;
}

export function ignoreDuplicateHelloVerifyRequests(): void {
  const proto = DtlsClient.prototype as unknown as ClientInternals;
  if (proto[PATCHED]) return;
  const original = proto.handleFragmentHandshake;
  if (typeof original !== 'function') throw new Error('werift DtlsClient.handleFragmentHandshake is gone: check dtls-retransmit.ts against this werift version');
  proto.handleFragmentHandshake = function (this: ClientInternals, messages: HandshakeFragment[]) {
    const handshakes = original.call(this, messages);
    if (this.dtls.flight < 3) return handshakes;
    return handshakes.filter((h) => h.msg_type !== HELLO_VERIFY_REQUEST);
  };
  proto[PATCHED] = true;
}

ignoreDuplicateHelloVerifyRequests();
