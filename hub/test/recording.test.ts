// Server-side recording from the SFU's RTP: the edge agent's test pattern published over
// WHIP, recorded by the hub's ffmpeg into HLS segments, each hashed and indexed in the
// database; the served playlist plays in ffprobe, the hashes match the files, H.264 is
// stored as it came, VP8 is re-encoded, a returning publisher keeps the same recording
// going, sound that comes late starts a part with sound, and the retention sweep deletes
// what it no longer keeps.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Recording, RecordingSegment } from '@hub/config';
import { publishAvTestPattern, publishTestPattern, type Codec } from '../../test-support/webrtc-peers';
import { ADMIN_TOKEN, eventually, withTestHub, type TestHub } from '../../test-support/test-hub';
import { checkPlayback as check, ffprobe, parseHlsPlaylist as parsePlaylist } from './support/recording-playback';

let t: TestHub;
const closers = withTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'] }, (hub) => (t = hub));

async function publish(streamId: string, codec: Codec) {
  const pub = await publishTestPattern(`${t.http}/whip/${streamId}`, ADMIN_TOKEN, codec);
  closers.push(() => pub.close());
  expect(pub.status).toBe(201);
  return pub;
}

async function recording(id: string): Promise<Recording> {
  const res = await t.api<Recording>('GET', `/api/recordings/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function segments(id: string): Promise<RecordingSegment[]> {
  const res = await t.api<RecordingSegment[]>('GET', `/api/recordings/${id}/segments`);
  expect(res.status).toBe(200);
  return res.body;
}

const checkPlayback = (id: string) => check(t, id);

describe('recording', () => {
  it('records an H.264 publish as it came: a valid HLS playlist, hashed segments, ffprobe plays it', async () => {
    await publish('rec-h264', 'h264');
    const started = await t.api<Recording>('POST', '/api/recordings', { streamId: 'rec-h264', reason: 'test' });
    expect(started.status).toBe(201);
    const { id } = started.body;
    expect(started.body).toMatchObject({ streamId: 'rec-h264', unitId: 'rec-h264', incidentId: null, reason: 'test', endedAt: null });
    // the same stream again (no incident) is the same recording
    expect((await t.api<Recording>('POST', '/api/recordings', { streamId: 'rec-h264' })).body.id).toBe(id);

    await eventually(async () => (await recording(id)).durationMs >= 6000, 40_000, '6 s of indexed segments');
    const live = await fetch(`${t.http}/api/recordings/${id}/index.m3u8`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(parsePlaylist(await live.text())).toMatchObject({ ended: false, vod: false }); // EVENT while it grows

    const stopped = await t.api<Recording>('POST', `/api/recordings/${id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ state: 'ended', codec: 'video/H264', transcoded: false });
    expect(stopped.body.endedAt).not.toBeNull();

    const { probe, playlist, indexed } = await checkPlayback(id);
    // copied, not re-encoded: H.264 at the publisher's size (the agent's test pattern is 320x240)
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    // on the wall clock: the first segment begins at a keyframe after the start (the agent
    // sends one every 2 s), and the last one ends before the stop
    expect(Date.parse(indexed[0]!.startedAt)).toBeGreaterThan(Date.parse(started.body.startedAt) - 1000);
    const last = indexed.at(-1)!;
    expect(Date.parse(last.startedAt) + last.durationMs).toBeLessThanOrEqual(Date.parse(stopped.body.endedAt!) + 1000);
    const total = indexed.reduce((s, x) => s + x.durationMs, 0) / 1000;
    expect(total).toBeGreaterThanOrEqual(6);
    expect(Math.abs(probe.duration - total)).toBeLessThan(1.5);
    expect(playlist.entries.every((e) => !e.discontinuity)).toBe(true);
    // ffmpeg ended cleanly: its own playlist of the part is closed
    expect(
      readFileSync(path.resolve(t.hub.config.dataDir, 'recordings', id, 'p1.m3u8'), 'utf8')
        .trim()
        .endsWith('#EXT-X-ENDLIST'),
    ).toBe(true);
    // each segment alone decodes from its first frame: ffprobe reads H.264 from the file
    const first = await ffprobe(path.resolve(t.hub.config.dataDir, 'recordings', id, 'p1_00000.ts'));
    expect(first.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
  }, 120_000);

  it('records a VP8 publish as H.264 (re-encoded for the recording only) that plays', async () => {
    await publish('rec-vp8', 'vp8');
    const started = await t.api<Recording>('POST', '/api/recordings', { streamId: 'rec-vp8', incidentId: 'inc-1', reason: 'incident' });
    expect(started.status).toBe(201);
    const { id } = started.body;
    await eventually(async () => (await recording(id)).durationMs >= 4000, 40_000, '4 s of indexed segments');
    const [stopped] = await t.hub.media!.recorder.stop('rec-vp8'); // by stream id, as the incidents work will
    expect(stopped).toMatchObject({ id, state: 'ended', codec: 'video/VP8', transcoded: true, incidentId: 'inc-1' });
    const { probe } = await checkPlayback(id);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(probe.duration).toBeGreaterThan(3);
  }, 120_000);

  it('keeps recording when the publisher drops and returns under the same stream id', async () => {
    // started before the stream is live: the recording waits for its publisher
    const started = await t.api<Recording>('POST', '/api/recordings', { streamId: 'rec-back', reason: 'test' });
    expect(started.body.state).toBe('waiting');
    const { id } = started.body;
    const first = await publish('rec-back', 'h264');
    await eventually(async () => (await segments(id)).length >= 2, 40_000, 'segments from the first publisher');
    await first.close();
    await eventually(async () => (await recording(id)).state === 'waiting', 20_000, 'the recording waiting for its publisher');
    // the first part's last segment is flushed (ffmpeg ends its playlist), then hashed and indexed
    const part1 = path.resolve(t.hub.config.dataDir, 'recordings', id, 'p1.m3u8');
    await eventually(
      async () => {
        const text = readFileSync(part1, 'utf8');
        const files = text.split('\n').filter((l) => l.endsWith('.ts')).length;
        return text.includes('#EXT-X-ENDLIST') && (await segments(id)).length === files;
      },
      20_000,
      'part 1 closed and indexed',
    );
    const before = (await segments(id)).length;

    await publish('rec-back', 'h264');
    await eventually(async () => (await segments(id)).filter((s) => s.part === 2).length >= 2, 40_000, 'segments from the returning publisher');
    expect((await recording(id)).state).toBe('recording');
    const [stopped] = await t.hub.media!.recorder.stop(id);
    expect(stopped!.segments).toBeGreaterThan(before);

    const { playlist, indexed } = await checkPlayback(id);
    expect(indexed.map((s) => s.seq)).toEqual(indexed.map((_, i) => i));
    expect(new Set(indexed.map((s) => s.part))).toEqual(new Set([1, 2]));
    // the returning publisher's segments follow a discontinuity, after the first publisher's
    const boundary = indexed.findIndex((s) => s.part === 2);
    expect(boundary).toBe(before);
    expect(playlist.entries[boundary]!.discontinuity).toBe(true);
    // and on the time axis, after the first publisher's last frame: no overlap
    expect(Date.parse(indexed[boundary]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(indexed[boundary - 1]!.startedAt) + indexed[boundary - 1]!.durationMs);
  }, 150_000);

  it('lists recordings by stream, incident and time', async () => {
    const byStream = await t.api<Recording[]>('GET', '/api/recordings?streamId=rec-h264');
    expect(byStream.body.map((r) => r.streamId)).toEqual(['rec-h264']);
    const byIncident = await t.api<Recording[]>('GET', '/api/recordings?incidentId=inc-1');
    expect(byIncident.body.map((r) => r.streamId)).toEqual(['rec-vp8']);
    const all = await t.api<Recording[]>('GET', '/api/recordings');
    expect(all.body.map((r) => r.streamId)).toEqual(['rec-back', 'rec-vp8', 'rec-h264']); // newest first
    const future = await t.api<Recording[]>('GET', `/api/recordings?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body).toEqual([]);
  });

  it('refuses requests without an operator token, unknown recordings and bad input, with a code', async () => {
    const anonymous = await fetch(`${t.http}/api/recordings`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: string }).code).toBe('HUB_ERR_AUTH_REQUIRED');
    const seg = await fetch(`${t.http}/api/recordings/00000000-0000-4000-8000-000000000000/segments/0.ts`);
    expect(seg.status).toBe(401);
    const unknown = await t.api<{ code: string }>('GET', '/api/recordings/00000000-0000-4000-8000-000000000000/index.m3u8');
    expect(unknown).toMatchObject({ status: 404, body: { code: 'HUB_ERR_RECORDING_NOT_FOUND' } });
    const bad = await t.api<{ code: string; message: string }>('POST', '/api/recordings', { streamId: 'no/slashes' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'HUB_ERR_VALIDATION' } });
    expect(bad.body.message).toContain('streamId');
    const nothing = await t.api<{ code: string; message: string }>('POST', '/api/recordings', {});
    expect(nothing).toMatchObject({ status: 400, body: { code: 'HUB_ERR_VALIDATION', message: expect.stringContaining('streamId or unitId is required') } });
    const noSegment = await t.api<{ code: string }>('GET', `/api/recordings/${(await t.api<Recording[]>('GET', '/api/recordings?streamId=rec-h264')).body[0]!.id}/segments/9999.ts`);
    expect(noSegment).toMatchObject({ status: 404, body: { code: 'HUB_ERR_RECORDING_SEGMENT_NOT_FOUND' } });
  });

  it('sweeps ended recordings past retention (files and rows), keeping those the predicate keeps and running ones', async () => {
    const recorder = t.hub.media!.recorder;
    const waiting = await recorder.start('rec-not-live', { reason: 'test' }); // running: never swept
    const all = await recorder.list();
    const ended = all.filter((r) => r.state === 'ended');
    expect(ended).toHaveLength(3);
    // nothing is old enough yet
    expect(await recorder.sweep()).toEqual({ deleted: [], kept: [] });

    recorder.keepWhen((r) => r.incidentId === 'inc-1'); // e.g. its incident is still open
    const later = new Date(Date.now() + (t.hub.config.recording.retentionDays + 1) * 86_400_000);
    const result = await recorder.sweep(later);
    const kept = ended.find((r) => r.incidentId === 'inc-1')!;
    expect(result.kept).toEqual([kept.id]);
    expect(result.deleted.sort()).toEqual(
      ended
        .filter((r) => r !== kept)
        .map((r) => r.id)
        .sort(),
    );
    for (const id of result.deleted) {
      expect(existsSync(path.resolve(t.hub.config.dataDir, 'recordings', id))).toBe(false);
      expect((await t.api('GET', `/api/recordings/${id}`)).status).toBe(404);
      const { rows } = await t.hub.db.query('SELECT 1 FROM recording_segments WHERE recording_id = $1', [id]);
      expect(rows).toHaveLength(0);
    }
    expect((await segments(kept.id)).length).toBeGreaterThan(0);
    expect(existsSync(path.resolve(t.hub.config.dataDir, 'recordings', kept.id, 'p1_00000.ts'))).toBe(true);
    expect((await recording(waiting.id)).state).toBe('waiting');

    recorder.keepWhen(undefined); // the incident closed
    expect((await recorder.sweep(later)).deleted).toEqual([kept.id]);
    await recorder.stop(waiting.id);
  });

  it('records the sound that comes seconds after the picture: a new part with sound, no picture lost', async () => {
    // an SOS recording starts with the stream; this body cam's microphone opens 4 s later
    const pub = await publishAvTestPattern(`${t.http}/whip/rec-late-audio`, ADMIN_TOKEN, 15, { audioAfterMs: 4000 });
    closers.push(() => pub.close());
    const { id } = (await t.api<Recording>('POST', '/api/recordings', { streamId: 'rec-late-audio', reason: 'test' })).body;
    await eventually(async () => (await segments(id)).filter((s) => s.part === 2).length >= 2, 60_000, 'segments of a part with sound');
    await t.api('POST', `/api/recordings/${id}/stop`);

    const { playlist, indexed } = await checkPlayback(id);
    const boundary = indexed.findIndex((s) => s.part === 2);
    expect(boundary).toBeGreaterThan(0); // the picture was recorded before the sound came
    expect(playlist.entries[boundary]!.discontinuity).toBe(true);
    // the picture goes on across the boundary: the new part starts where the first one stopped
    const firstEnd = Date.parse(indexed[boundary - 1]!.startedAt) + indexed[boundary - 1]!.durationMs;
    expect(Math.abs(Date.parse(indexed[boundary]!.startedAt) - firstEnd)).toBeLessThan(1000);
    const codecs = async (s: RecordingSegment) => (await ffprobe(`${t.http}${s.url}`, true)).streams.map((x) => x.codec_name);
    expect(await codecs(indexed[0]!)).toEqual(['h264']);
    expect(await codecs(indexed.at(-1)!)).toEqual(expect.arrayContaining(['h264', 'aac']));
  }, 120_000);
});
