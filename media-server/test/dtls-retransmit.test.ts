// A slow DTLS peer makes werift's client resend its ClientHello and receive two
// HelloVerifyRequests; the handshake must still complete. (Under load, new viewers of a busy
// SFU got no frame: the SFU, DTLS client of every peer, failed their transports this way.)
import { afterEach, describe, expect, it } from 'vitest';
import { CipherContext, DtlsClient, DtlsServer, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm, type Transport } from 'werift';
import '../src/engine/werift/transport'; // the engine's werift, as the SFU loads it

type Link = Transport;
const end = (send: Link['send']): Link => ({ type: 'memory', address: {} as Link['address'], closed: false, onData: () => {}, send, close: async () => {} });

/**
 * Two ends of an in-memory datagram link. The server is stalled for `stallMs` at the start:
 * what the client sends until then reaches it in one go when the stall ends, as a stalled
 * event loop reads its socket.
 */
function link(stallMs: number): { client: Link; server: Link; timers: Set<NodeJS.Timeout> } {
  const start = Date.now();
  const timers = new Set<NodeJS.Timeout>();
  const deliver = (to: Link, buf: Buffer, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      to.onData(buf, ['memory', 0]);
    }, ms);
    timers.add(t);
  };
  const client = end(async (buf) => deliver(server, buf, Math.max(1, start + stallMs - Date.now())));
  const server = end(async (buf) => deliver(client, buf, 1));
  return { client, server, timers };
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('werift DTLS client', () => {
  it('completes the handshake when a slow server answers its resent ClientHello a second time', async () => {
    const cert = await CipherContext.createSelfSignedCertificateWithKey({ signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 }, NamedCurveAlgorithm.secp256r1_23);
    const options = { cert: cert.certPem, key: cert.keyPem, signatureHash: cert.signatureHash, extendedMasterSecret: true };
    // the server reads nothing for 800 ms, past the client's 500 ms retransmission timer: it
    // then sees two ClientHellos and answers each with a HelloVerifyRequest
    const { client: c, server: s, timers } = link(800);
    closers.push(() => timers.forEach(clearTimeout));
    const server = new DtlsServer({ ...options, transport: s, certificateRequest: true });
    const client = new DtlsClient({ ...options, transport: c });
    const outcome = (peer: DtlsClient | DtlsServer) =>
      new Promise<string>((resolve) => {
        peer.onConnect.once(() => resolve('connected'));
        peer.onError.once((e: Error) => resolve(`failed: ${e.message || e.stack?.split('\n')[1]}`));
      });
    const clientOutcome = outcome(client);
    const serverOutcome = outcome(server);
    void client.connect();
    expect(await clientOutcome).toBe('connected');
    expect(await serverOutcome).toBe('connected');
    // and the session carries data both ways
    const got = new Promise<string>((r) => server.onData.once((d: Buffer) => r(d.toString())));
    await client.send(Buffer.from('hello'));
    expect(await got).toBe('hello');
  }, 20_000);
});
