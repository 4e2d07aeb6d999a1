// The SFU's viewer limit: one viewer past `maxViewers` (all streams together) is refused with
// 503 and a reason, and gets in once another viewer has left; viewers already in keep their
// media. Real peers: a WHIP test pattern, werift WHEP viewers.
import { describe, expect, it } from 'vitest';
import { viewerCount } from '../src';
import { useWhipServer } from './support/whip-server';
import { publishTestPattern, until, viewStream } from '../../test-support/webrtc-peers';
import { eventually } from '../../test-support/wait';

const TOKEN = 'media-test-token';
const server = useWhipServer({ token: TOKEN, maxViewers: 2 });

async function view(streamId: string) {
  const v = await viewStream(`${server.base}/whep/${streamId}`, TOKEN, 'vp8');
  server.cleanup.push(() => v.close());
  return v;
}

describe('viewer limit', () => {
  it('refuses the viewer past the limit with a reason, and takes one again after a viewer leaves', async () => {
    const pub = await publishTestPattern(`${server.base}/whip/cam-limit`, TOKEN, 'vp8');
    server.cleanup.push(() => pub.close());
    expect(pub.status).toBe(201);
    await eventually(async () => ((await server.router.producers.get('cam-limit')?.stats())?.packets ?? 0) > 10, 10_000, 'the publisher’s packets at the SFU');

    const first = await view('cam-limit');
    const second = await view('cam-limit');
    expect([first.res.status, second.res.status]).toEqual([201, 201]);
    expect(viewerCount(server.router)).toBe(2);

    const third = await view('cam-limit');
    expect(third.res.status).toBe(503);
    const body = (await third.res.json()) as { code: string; message: string };
    expect(body.code).toBe('HUB_ERR_VIEWER_LIMIT');
    expect(body.message).toContain('limit of 2 viewers');
    expect(viewerCount(server.router)).toBe(2);

    // the two inside still get media
    const [a, b] = [first.counter.packets, second.counter.packets];
    await until(() => first.counter.packets > a + 10 && second.counter.packets > b + 10, 10_000, 'media to the viewers inside the limit');

    const left = await fetch(server.base + first.res.headers.get('location')!, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(left.status).toBe(200);
    const fourth = await view('cam-limit');
    expect(fourth.res.status).toBe(201);
    await until(() => fourth.counter.packets > 10, 10_000, 'media to the viewer let in after one left');
  });
});
