// An SOS with the default linkage: the unit's camera starts by itself and is recorded for the
// incident while it is open; resolving stops the recording; the replay puts its video segments
// and the unit's track on one time axis; the evidence pack holds the segments with hashes that
// match the recorder's index; the playlist plays in ffprobe.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Recording, RecordingSegment, Replay } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { untar } from './support/untar';
import { sosBodycam } from './support/sos-bodycam';

const run = promisify(execFile);
let t: TestHub;
const closers: (() => Promise<void>)[] = [];
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  t = await startTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'], 'linkage.rules.sos.escalateAfterSeconds': 0 });
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await t?.close();
});

it('records the SOS unit’s camera for its incident, and replays video and track on one time axis', async () => {
  const { agent, incident } = await sosBodycam(t, 'cam-rec', closers);
  const recording = await eventually(
    async () => {
      const list = (await t.api<Recording[]>('GET', `/api/recordings?incidentId=${incident.id}`)).body;
      return list[0] && list[0].segments >= 2 && list[0];
    },
    45_000,
    'two recorded segments',
  );
  expect(recording).toMatchObject({ unitId: 'cam-rec', incidentId: String(incident.id), reason: 'incident', state: 'recording' });
  const t0 = Date.now();
  for (let i = 1; i <= 3; i++) await agent.report({ ts: t0 - 400 + i * 100, lat: 22.54 + i / 10_000, lon: 114.05, speed: 1, accuracy: 5 });
  await eventually(async () => (await t.api<{ unitId: string; lat: number }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === 'cam-rec' && p.lat > 22.5402), 10_000, 'track stored');

  expect((await t.api('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' })).status).toBe(200);
  const ended = await eventually(
    async () => {
      const r = (await t.api<Recording>('GET', `/api/recordings/${recording.id}`)).body;
      // endedAt too: the recorder reports "ended" a moment before the last segment is indexed
      return r.state === 'ended' && r.endedAt !== null && r;
    },
    20_000,
    'recording ended with the incident',
  );

  const r = (await t.api<Replay>('GET', `/api/incidents/${incident.id}/replay`)).body;
  const [from, to] = [Date.parse(r.from), Date.parse(r.to)];
  expect(r.segments).toHaveLength(ended.segments);
  expect(r.playlists).toEqual([{ recordingId: recording.id, unitId: 'cam-rec', url: `/api/recordings/${recording.id}/index.m3u8` }]);
  let last = 0;
  for (const s of r.segments) {
    expect(s.start).toMatch(/Z$/);
    expect(Date.parse(s.end)).toBeGreaterThan(Date.parse(s.start));
    expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Math.max(from, last - 1));
    expect(Date.parse(s.end)).toBeLessThanOrEqual(to + 5_000); // the last segment closes as the incident resolves
    last = Date.parse(s.start);
  }
  const track = r.tracks.find((x) => x.unitId === 'cam-rec')!;
  expect(track.points.length).toBeGreaterThanOrEqual(4);
  // video and track overlap on the axis: some track point lies within the recorded span
  const videoFrom = Date.parse(r.segments[0]!.start);
  const videoTo = Date.parse(r.segments.at(-1)!.end);
  expect(track.points.some((p) => Date.parse(p.ts) >= videoFrom && Date.parse(p.ts) <= videoTo)).toBe(true);

  // the playlist plays
  const { stdout } = await run(
    '/usr/bin/ffprobe',
    ['-v', 'error', '-show_entries', 'format=duration', '-of', 'json', '-headers', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`, `${t.http}${r.playlists[0]!.url}`],
    { timeout: 60_000 },
  );
  expect(Number(JSON.parse(stdout).format.duration)).toBeGreaterThan(0);

  // the evidence pack carries every segment, hashed as the recorder indexed them
  const res = await fetch(`${t.http}/api/incidents/${incident.id}/evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const files = untar(Buffer.from(await res.arrayBuffer()));
  const indexed = (await t.api<RecordingSegment[]>('GET', `/api/recordings/${recording.id}/segments`)).body;
  const segs = [...files.keys()].filter((n) => n.includes('/segments/cam-rec/')).sort();
  expect(segs).toHaveLength(indexed.length);
  const manifest = new Map(
    files
      .get(`incident-${incident.id}/manifest-sha256.txt`)!
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.split('  ').reverse() as [string, string]),
  );
  for (const s of indexed) {
    const name = segs.find((n) => n.endsWith(`-${s.seq}.ts`))!;
    expect(sha256(files.get(name)!)).toBe(s.sha256);
    expect(manifest.get(name.slice(`incident-${incident.id}/`.length))).toBe(s.sha256);
  }
});
