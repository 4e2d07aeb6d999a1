// A publisher that crashed (no goodbye, its transport still up) no longer blocks its own
// restart: a new publisher takes a silent stream at once and the viewer resumes on it; a
// stream whose publisher still sends stays refused to a second one (HUB_ERR_STREAM_BUSY).
// Real peers: werift publishers fed by ffmpeg's test pattern, a werift WHEP viewer.
import { describe, expect, it } from 'vitest';
import { MediaStreamTrack } from 'werift';
import { peer, signal, until, viewStream } from '../../test-support/webrtc-peers';
import { eventually } from '../../test-support/wait';
import { ffmpegRtp } from './support/rtp-peers';
import { useWhipServer } from './support/whip-server';

const TOKEN = 'claim-test-token';
const server = useWhipServer({ token: TOKEN });

/** A WHIP publisher whose video can stop while its connection stays up, as a crashed app's does. */
async function publisher(streamId: string) {
  const pc = peer('vp8');
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  const res = await signal(pc, `${server.base}/whip/${streamId}`, TOKEN);
  const pattern = res.status === 201 ? await ffmpegRtp({ fps: 15 }, (buf) => track.writeRtp(buf)) : undefined;
  server.cleanup.push(async () => {
    pattern?.close();
    await pc.close();
  });
  return { res, stopSending: () => pattern?.close() };
}

describe('a second publisher for the same stream', () => {
  it('is refused while the first still sends, and takes over a silent (crashed) one at once', async () => {
    const first = await publisher('cam-claim');
    expect(first.res.status).toBe(201);
    await eventually(async () => ((await server.router.producers.get('cam-claim')?.stats())?.packets ?? 0) > 10, 10_000, 'the first publisher’s packets');

    const second = await publisher('cam-claim');
    expect(second.res.status).toBe(409);
    expect(await second.res.json()).toMatchObject({ code: 'HUB_ERR_STREAM_BUSY' });

    const viewer = await viewStream(`${server.base}/whep/cam-claim`, TOKEN, 'vp8');
    server.cleanup.push(() => viewer.close());
    await until(() => viewer.counter.packets > 20, 10_000, 'packets at the viewer');

    // the first publisher "crashes": its packets stop, its transport is not closed
    const firstProducer = server.router.producers.get('cam-claim')!;
    first.stopSending();
    const restarted = await publisher('cam-claim');
    expect(restarted.res.status).toBe(201);
    expect(firstProducer.closed).toBe(true);
    const newProducer = server.router.producers.get('cam-claim');
    expect(newProducer).toBeDefined();
    expect(newProducer).not.toBe(firstProducer);

    // the same viewer, without signalling again, gets the new publisher's video
    const atTakeover = viewer.counter.packets;
    await until(() => viewer.counter.packets > atTakeover + 20, 15_000, 'the viewer’s packets from the new publisher');
  });
});
