// WHIP/WHEP as RFC 9725 has them, beyond the happy path, with real werift peers: an offer
// must flow the right way, a session is ended only through its own URL, methods a session
// does not take answer 405 with Allow, an oversized offer gets a HUB_ERR code, and a web
// player on an allowed origin gets the CORS answers it needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaStreamTrack } from 'werift';
import { startWhipServer, type WhipServer } from './support/whip-server';
import { peer, publishTestPattern, signal, until } from '../../test-support/webrtc-peers';

const TOKEN = 'protocol-test-token';
const PLAYER = 'https://player.example';
let server: WhipServer;
let open: WhipServer; // no CORS origins configured

beforeAll(async () => {
  server = await startWhipServer({ token: TOKEN, corsOrigins: [PLAYER] });
  open = await startWhipServer({ token: TOKEN });
});
afterAll(async () => {
  await server?.close();
  await open?.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function publish(streamId: string) {
  const p = await publishTestPattern(`${server.base}/whip/${streamId}`, TOKEN, 'vp8');
  server.cleanup.push(() => p.close());
  expect(p.status).toBe(201);
  await until(() => server.router.producers.has(streamId), 10_000, 'the producer');
  return p.location!;
}

/** A werift peer's offer with one video transceiver in `direction`. */
async function offer(direction: 'sendonly' | 'recvonly') {
  const pc = peer('vp8');
  server.cleanup.push(() => pc.close());
  if (direction === 'sendonly') pc.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction });
  else pc.addTransceiver('video', { direction });
  return pc;
}

describe('offer direction', () => {
  it('refuses a recvonly WHIP offer (no phantom publisher takes the stream id) and a sendonly WHEP offer', async () => {
    const res = await signal(await offer('recvonly'), `${server.base}/whip/phantom-1`, TOKEN);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_SDP_OFFER', message: expect.stringContaining('recvonly') });
    expect(server.router.producers.has('phantom-1')).toBe(false);

    await publish('dir-live');
    const view = await signal(await offer('sendonly'), `${server.base}/whep/dir-live`, TOKEN);
    expect(view.status).toBe(400);
    expect(await view.json()).toMatchObject({ code: 'HUB_ERR_SDP_OFFER', message: expect.stringContaining('sendonly') });
    expect(server.router.producers.get('dir-live')!.consumers.size).toBe(0);
  });
});

describe('session resources', () => {
  it('ends a WHIP session only through its own /whip/ URL: not through /whep/, nor under another stream id', async () => {
    const location = await publish('scoped-1');
    const sessionId = location.split('/').pop()!;
    const viaWhep = await fetch(`${server.base}/whep/scoped-1/${sessionId}`, { method: 'DELETE', headers: auth });
    expect(viaWhep.status).toBe(404);
    expect(await viaWhep.json()).toMatchObject({ code: 'HUB_ERR_SESSION_NOT_FOUND' });
    const otherStream = await fetch(`${server.base}/whip/scoped-2/${sessionId}`, { method: 'DELETE', headers: auth });
    expect(otherStream.status).toBe(404);
    expect(server.router.producers.has('scoped-1')).toBe(true);

    const own = await fetch(server.base + location, { method: 'DELETE', headers: auth });
    expect(own.status).toBe(200);
    expect(server.router.producers.has('scoped-1')).toBe(false);
  });

  it('answers PATCH (trickle ICE) and GET on a session, and GET on an endpoint, with 405 and Allow', async () => {
    const location = await publish('methods-1');
    const patch = await fetch(server.base + location, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/trickle-ice-sdpfrag' },
      body: 'a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef0123456789\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n',
    });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toContain('DELETE');
    expect(await patch.json()).toMatchObject({ code: 'HUB_ERR_METHOD_NOT_ALLOWED', message: expect.stringContaining('trickle ICE') });
    const get = await fetch(server.base + location, { headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toContain('DELETE');
    const endpoint = await fetch(`${server.base}/whep/methods-1`, { headers: auth });
    expect(endpoint.status).toBe(405);
    expect(endpoint.headers.get('allow')).toContain('POST');
    expect(server.router.producers.has('methods-1')).toBe(true); // none of it touched the session
  });

  it('answers an offer over the size limit with 413 HUB_ERR_BODY_TOO_LARGE and a sentence, not Fastify’s code', async () => {
    const huge = `v=0\r\n${'a=x-padding:0123456789abcdef0123456789abcdef0123456789abcdef\r\n'.repeat(5000)}`;
    const res = await fetch(`${server.base}/whip/big-offer-1`, { method: 'POST', headers: { ...auth, 'content-type': 'application/sdp' }, body: huge });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_BODY_TOO_LARGE', message: expect.stringContaining('256 KiB') });
    const json = await fetch(`${server.base}/whep/big-offer-1`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"sdp":"v=0"}' });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ code: 'HUB_ERR_SDP_OFFER' });
  });
});

describe('CORS (media.corsOrigins)', () => {
  it('answers the preflight of a player on an allowed origin, and exposes Location on its publish', async () => {
    const preflight = await fetch(`${server.base}/whip/cors-pub-1`, {
      method: 'OPTIONS',
      headers: { origin: PLAYER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PLAYER);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(preflight.headers.get('accept-post')).toBe('application/sdp'); // RFC 9725 §4.2
    const sessionPreflight = await fetch(`${server.base}/whip/cors-pub-1/some-session`, { method: 'OPTIONS', headers: { origin: PLAYER, 'access-control-request-method': 'DELETE' } });
    expect(sessionPreflight.headers.get('access-control-allow-methods')).toContain('DELETE');

    const pc = await offer('sendonly');
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(`${server.base}/whip/cors-pub-1`, { method: 'POST', headers: { ...auth, origin: PLAYER, 'content-type': 'application/sdp' }, body: pc.localDescription!.sdp });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(PLAYER);
    expect(res.headers.get('access-control-expose-headers')).toContain('Location');
    await fetch(server.base + res.headers.get('location')!, { method: 'DELETE', headers: auth });
  });

  it('gives no CORS answer to an origin not on the list, nor to any origin when none is configured', async () => {
    const stranger = await fetch(`${server.base}/whip/cors-pub-2`, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const unconfigured = await fetch(`${open.base}/whip/cors-pub-2`, { method: 'OPTIONS', headers: { origin: PLAYER, 'access-control-request-method': 'POST' } });
    expect(unconfigured.status).toBe(204);
    expect(unconfigured.headers.get('access-control-allow-origin')).toBeNull();
    const refused = await fetch(`${server.base}/whip/cors-pub-2`, { method: 'POST', headers: { origin: 'https://elsewhere.example', 'content-type': 'application/sdp' }, body: 'v=0\r\n' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});
