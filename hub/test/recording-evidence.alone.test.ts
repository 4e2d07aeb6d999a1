// Evidence recordings that hold up (issue 12 §2): a VP8 + Opus publisher recorded for 60 s
// while both cores are busy keeps its length, its frame rate and its sound, in segments of
// about recording.segmentSeconds whose hashes verify (its length is what the publisher sent,
// which a starved encoder may cut short); and a recording whose ffmpeg hangs
// raises a `recording_stalled` alarm, counts it, and goes on with a new ffmpeg.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Alarm, Recording } from '@hub/config';
import { publishAvTestPattern, publishTestPattern } from '../../test-support/webrtc-peers';
import { ADMIN_TOKEN, eventually, withTestHub, type TestHub } from '../../test-support/test-hub';
import { checkPlayback, probeStreams } from './support/recording-playback';

const SEGMENT_SECONDS = 2;
let t: TestHub;
const closers = withTestHub({ 'media.additionalHostAddresses': ['127.0.0.1'], 'recording.segmentSeconds': SEGMENT_SECONDS }, (hub) => (t = hub));

const recording = async (id: string) => (await t.api<Recording>('GET', `/api/recordings/${id}`)).body;

/** One busy loop per core, at the hub's own priority: the host is as loaded as it gets. */
function busyCores(): () => Promise<void> {
  const hogs: ChildProcess[] = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return async () => {
    for (const h of hogs) h.kill('SIGKILL');
  };
}

/** The ffmpeg processes writing into a recording's folder (their command line names it). */
function recordingFfmpegs(recordingId: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('ffmpeg') && cmd.includes(recordingId)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('evidence recordings', () => {
  it('records 60 s of VP8 and Opus on a busy host: its length, the sent frame rate, sound, verified hashes', async () => {
    const pub = await publishAvTestPattern(`${t.http}/whip/ev-av`, ADMIN_TOKEN, 15);
    closers.push(() => pub.close());
    const idle = busyCores();
    closers.push(idle);

    // the frames the SFU received from the publisher: on a host this busy the publisher's own
    // encoder may fall behind, and the recording can only keep what was sent
    const framesReceived = async () => {
      const video = [...t.hub.media!.router.producers.values()].find((p) => p.streamId === 'ev-av' && p.kind === 'video');
      return video ? (await video.stats()).frames : 0;
    };
    const framesBefore = await framesReceived();
    const started = await t.api<Recording>('POST', '/api/recordings', { streamId: 'ev-av', reason: 'evidence test' });
    expect(started.status).toBe(201);
    const { id } = started.body;
    const t0 = Date.now();
    // segments come while it records (the defect: none for minutes, then one huge one)
    await eventually(async () => (await recording(id)).segments >= 5, 60_000, 'five segments while recording');
    await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - t0))));
    const stopped = await t.api<Recording>('POST', `/api/recordings/${id}/stop`);
    const sentSeconds = ((await framesReceived()) - framesBefore) / pub.fps;
    await idle();
    expect(stopped.body).toMatchObject({ state: 'ended', codec: 'video/VP8', transcoded: true });

    const { indexed } = await checkPlayback(t, id); // playlist valid, every segment's SHA-256 verifies
    // about segmentSeconds each, but the last of each part: the stop cuts it, and so does a new
    // ffmpeg (a stall on a host this busy, or sound that came late), each said in the log
    for (const s of indexed.filter((seg, i) => indexed[i + 1]?.part === seg.part)) {
      expect(s.durationMs).toBeGreaterThanOrEqual(SEGMENT_SECONDS * 1000 * 0.5);
      expect(s.durationMs).toBeLessThanOrEqual(SEGMENT_SECONDS * 1000 * 1.5);
    }
    const probe = await probeStreams(t, id);
    // said on failure: where the time went (a late first keyframe, a cut tail, a starved publisher)
    const facts = `ffprobe ${probe.duration} s from ${probe.video.start_time} s; ${indexed.length} segments of ${indexed.map((s) => s.durationMs).join('+')} ms; ${sentSeconds.toFixed(1)} s of frames sent`;
    expect(sentSeconds, facts).toBeGreaterThan(20); // the publisher kept sending: a recording of it means something
    // as long as what was sent while it recorded (60 s on a host that keeps up)
    expect(Math.abs(probe.duration - sentSeconds), facts).toBeLessThanOrEqual(60 * 0.05);
    const fps = Number(probe.video.nb_read_frames) / probe.duration;
    expect(fps).toBeGreaterThanOrEqual(pub.fps * 0.9);
    expect(fps).toBeLessThanOrEqual(pub.fps * 1.1);
    expect(probe.video.codec_name).toBe('h264');
    // sound in the same segments, from the same moment as the picture
    expect(probe.audio).toMatchObject({ codec_name: 'aac' });
    expect(Math.abs(Number(probe.audio!.start_time) - Number(probe.video.start_time))).toBeLessThan(0.25);
  }, 240_000);

  it('a recording whose ffmpeg hangs raises recording_stalled, counts it, and records on with a new ffmpeg', async () => {
    const pub = await publishTestPattern(`${t.http}/whip/ev-stall`, ADMIN_TOKEN, 'vp8');
    closers.push(() => pub.close());
    const stallsBefore = await t.metric('hub_recording_stalls_total');
    const { id } = (await t.api<Recording>('POST', '/api/recordings', { streamId: 'ev-stall', reason: 'stall test' })).body;
    const first = await eventually(async () => ((await recording(id)).segments >= 1 ? recordingFfmpegs(id) : undefined), 40_000, 'a first segment');
    expect(first).toHaveLength(1);
    process.kill(first[0]!, 'SIGSTOP'); // ffmpeg hangs: alive, writing nothing
    closers.push(async () => {
      if (recordingFfmpegs(id).includes(first[0]!)) process.kill(first[0]!, 'SIGKILL');
    });

    const alarm = await eventually(async () => (await t.api<Alarm[]>('GET', '/api/alarms?kind=recording_stalled')).body.find((a) => a.details.recordingId === id), 40_000, 'a recording_stalled alarm');
    expect(alarm).toMatchObject({ unitId: 'ev-stall', kind: 'recording_stalled', acknowledgedAt: null });
    expect(alarm.details).toMatchObject({ streamId: 'ev-stall', partRunning: true });
    expect(Number(alarm.details.silentSeconds)).toBeGreaterThanOrEqual(3 * SEGMENT_SECONDS);
    expect(await t.metric('hub_recording_stalls_total')).toBe(stallsBefore + 1);

    // the hung ffmpeg is gone, a new one writes segments again
    const segmentsAtAlarm = (await recording(id)).segments;
    await eventually(async () => !recordingFfmpegs(id).includes(first[0]!), 20_000, 'the hung ffmpeg killed');
    await eventually(async () => (await recording(id)).segments >= segmentsAtAlarm + 2, 40_000, 'segments from a new ffmpeg');
    const now = recordingFfmpegs(id);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first[0]);
    expect((await recording(id)).state).toBe('recording');
    // one stall, one alarm: the recording came back
    expect((await t.api<Alarm[]>('GET', '/api/alarms?kind=recording_stalled')).body.filter((a) => a.details.recordingId === id)).toHaveLength(1);
    await t.api('POST', `/api/recordings/${id}/stop`);
    await checkPlayback(t, id);
  }, 120_000);
});
