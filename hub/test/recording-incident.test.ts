// A recording made during an incident, as the linkage rules make it: a body cam's SOS opens
// an incident, starts the unit's camera on demand and records it (the unit's random stream
// id, not its unit id); resolving the incident stops the recording; the recording plays
// (valid HLS, ffprobe, hashes), the incident's replay lists its segments on the time axis,
// and retention keeps the recording only while the incident is open.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnitAgent, attachOnDemandVideo } from '@hub/edge-agent';
import type { Incident, Recording, Replay } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { checkPlayback } from './support/recording-playback';
import { untar } from './support/untar';

let t: TestHub;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestHub({
    'media.additionalHostAddresses': ['127.0.0.1'],
    'linkage.rules.sos.escalateAfterSeconds': 0,
    'linkage.rules.sos.proposeNearest': 0,
  });
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await t?.close();
});

describe('recording an incident', () => {
  it('records the SOS unit’s camera while its incident is open, and the recording plays', async () => {
    const { secret } = await t.createUnit('bc-7', 'bodycam');
    const agent = await UnitAgent.start({ unitId: 'bc-7', secret, broker: t.mqtt, reconnectMs: 100 });
    const video = attachOnDemandVideo(agent, { hubUrl: t.http, unitId: 'bc-7', secret, additionalHostAddresses: ['127.0.0.1'] });
    closers.push(
      () => agent.close(),
      () => video.close(),
    );
    await eventually(async () => agent.stats.connected, 10_000, 'agent connected');
    await agent.report({ ts: Date.now(), lat: 22.5431, lon: 114.0579, speed: 0, heading: 0, accuracy: 4 });

    await agent.sos('help');
    const incident = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents')).body.find((i) => i.unitId === 'bc-7'), 15_000, 'the incident');
    const recording = await eventually(async () => (await t.api<Recording[]>('GET', `/api/recordings?incidentId=${incident.id}`)).body[0], 15_000, 'the incident’s recording');
    const streamId = (await t.hub.media!.streamIds.forUnit('bc-7'))!;
    expect(recording).toMatchObject({ unitId: 'bc-7', streamId, incidentId: String(incident.id), reason: 'incident' });
    expect(streamId).not.toBe('bc-7');
    await eventually(async () => (await t.api<Recording>('GET', `/api/recordings/${recording.id}`)).body.durationMs >= 4000, 90_000, '4 s recorded');

    // open: retention keeps it even when it is old
    const later = new Date(Date.now() + (t.hub.config.recording.retentionDays + 1) * 86_400_000);
    // (still running: not a candidate at all) — so first check the sweep leaves running recordings alone
    expect((await t.hub.media!.recorder.sweep(later)).deleted).toEqual([]);

    const resolved = await t.api<Incident>('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' });
    expect(resolved.status).toBe(200);
    const ended = await eventually(
      async () => {
        const r = (await t.api<Recording>('GET', `/api/recordings/${recording.id}`)).body;
        return r.state === 'ended' ? r : undefined;
      },
      20_000,
      'the recording stopped by the resolution',
    );
    expect(ended.segments).toBeGreaterThan(0);

    const { indexed } = await checkPlayback(t, recording.id);

    const replay = (await t.api<Replay>('GET', `/api/incidents/${incident.id}/replay`)).body;
    expect(replay.segments.map((s) => [s.seq, s.sha256])).toEqual(indexed.map((s) => [s.seq, s.sha256]));
    expect(replay.playlists).toEqual([{ recordingId: recording.id, unitId: 'bc-7', url: `/api/recordings/${recording.id}/index.m3u8` }]);
    for (const [i, s] of replay.segments.entries()) {
      expect(s.start).toBe(indexed[i]!.startedAt);
      expect(Date.parse(s.end) - Date.parse(s.start)).toBe(indexed[i]!.durationMs);
    }

    // the evidence pack carries each segment, byte for byte as indexed
    const pack = await fetch(`${t.http}/api/incidents/${incident.id}/evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(pack.status).toBe(200);
    const files = untar(Buffer.from(await pack.arrayBuffer()));
    for (const s of indexed) {
      const file = files.get(`incident-${incident.id}/segments/bc-7/${recording.id}-${s.seq}.ts`);
      expect(file, `segment ${s.seq} in the pack`).toBeDefined();
      expect(createHash('sha256').update(file!).digest('hex')).toBe(s.sha256);
    }

    // reopened, the incident keeps its recording past retention; resolved again, it does not
    const reopened = await t.api<Incident>('POST', `/api/incidents/${incident.id}/reopen`, { reason: 'more to see' });
    expect(reopened.status).toBe(200);
    expect(await t.hub.media!.recorder.sweep(later)).toEqual({ deleted: [], kept: [recording.id] });
    expect((await t.api<Incident>('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' })).status).toBe(200);
    expect(await t.hub.media!.recorder.sweep(later)).toEqual({ deleted: [recording.id], kept: [] });
  }, 240_000);
});
