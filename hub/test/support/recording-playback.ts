// Checks that a recording plays: the served HLS playlist is valid, every segment it names
// fetches with the size and SHA-256 the database holds (also those of the file on disk), and
// Debian's ffprobe plays the playlist over HTTP.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { RecordingSegment } from '@hub/config';
import { ADMIN_TOKEN, type TestHub } from '../../../test-support/test-hub';

const run = promisify(execFile);

const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Entry {
  uri: string;
  duration: number;
  programDateTime: string | undefined;
  discontinuity: boolean;
}

/** Parses an HLS media playlist (RFC 8216 §4.3), checking the rules a player relies on. */
export function parseHlsPlaylist(text: string) {
  const lines = text.split('\n').filter(Boolean);
  expect(lines[0]).toBe('#EXTM3U');
  const target = Number(/^#EXT-X-TARGETDURATION:(\d+)$/m.exec(text)?.[1]);
  expect(target).toBeGreaterThan(0);
  const entries: Entry[] = [];
  let pending: Partial<Entry> = {};
  for (const line of lines) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pending.programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    else if (line === '#EXT-X-DISCONTINUITY') pending.discontinuity = true;
    else if (line.startsWith('#EXTINF:')) pending.duration = Number(line.slice(8).split(',')[0]);
    else if (!line.startsWith('#')) {
      expect(pending.duration, `EXTINF before ${line}`).toBeGreaterThan(0);
      expect(Math.round(pending.duration!)).toBeLessThanOrEqual(target); // §4.3.3.1
      entries.push({ uri: line, duration: pending.duration!, programDateTime: pending.programDateTime, discontinuity: pending.discontinuity ?? false });
      pending = {};
    }
  }
  return { entries, ended: lines.at(-1) === '#EXT-X-ENDLIST', vod: text.includes('#EXT-X-PLAYLIST-TYPE:VOD') };
}

export async function ffprobe(target: string, headers = false): Promise<{ duration: number; streams: { codec_name: string; width: number; height: number }[] }> {
  const args = ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,width,height', '-of', 'json'];
  if (headers) args.push('-headers', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`);
  const { stdout } = await run('/usr/bin/ffprobe', [...args, target], { timeout: 60_000 });
  const out = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_name: string; width: number; height: number }[] };
  return { duration: Number(out.format.duration), streams: out.streams };
}

/**
 * The served playlist is valid and every segment it names fetches, with the size and
 * SHA-256 the database holds for it, which are also those of the file on disk; ffprobe
 * plays the playlist over HTTP. Returns what ffprobe read.
 */
export async function checkPlayback(t: TestHub, id: string) {
  const url = `${t.http}/api/recordings/${id}/index.m3u8`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
  const playlist = parseHlsPlaylist(await res.text());
  expect(playlist.ended).toBe(true);
  expect(playlist.vod).toBe(true);
  const indexedRes = await t.api<RecordingSegment[]>('GET', `/api/recordings/${id}/segments`);
  expect(indexedRes.status).toBe(200);
  const indexed = indexedRes.body;
  expect(playlist.entries).toHaveLength(indexed.length);
  expect(indexed.length).toBeGreaterThan(0);

  const { rows } = await t.hub.db.query<{ seq: number; path: string }>('SELECT seq, path FROM recording_segments WHERE recording_id = $1 ORDER BY seq', [id]);
  let lastTime = 0;
  for (const [i, entry] of playlist.entries.entries()) {
    const segment = indexed[i]!;
    expect(entry.programDateTime).toBe(segment.startedAt);
    const time = Date.parse(entry.programDateTime!);
    expect(time).toBeGreaterThanOrEqual(lastTime);
    lastTime = time;
    const seg = await fetch(new URL(entry.uri, url), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(seg.status, entry.uri).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    const body = Buffer.from(await seg.arrayBuffer());
    expect(body.length).toBe(segment.bytes);
    expect(sha256(body)).toBe(segment.sha256);
    const onDisk = readFileSync(path.resolve(t.hub.config.dataDir, 'recordings', rows[i]!.path));
    expect(sha256(onDisk)).toBe(segment.sha256);
  }
  const probe = await ffprobe(url, true);
  expect(probe.duration).toBeGreaterThan(0);
  return { probe, playlist, indexed };
}

export interface ProbedStream {
  codec_type: 'video' | 'audio';
  codec_name: string;
  /** frames decoded (video) or audio frames read, with -count_frames */
  nb_read_frames: string;
  start_time: string;
  duration?: string;
}

/** Each stream of the served playlist as ffprobe decodes it (frames counted), and the duration. */
export async function probeStreams(t: TestHub, id: string): Promise<{ duration: number; video: ProbedStream; audio: ProbedStream | undefined }> {
  const args = ['-v', 'error', '-count_frames', '-show_entries', 'format=duration:stream=codec_type,codec_name,nb_read_frames,start_time,duration', '-of', 'json'];
  args.push('-headers', `Authorization: Bearer ${ADMIN_TOKEN}\r\n`, `${t.http}/api/recordings/${id}/index.m3u8`);
  const { stdout } = await run('/usr/bin/ffprobe', args, { timeout: 120_000 });
  const out = JSON.parse(stdout) as { format: { duration: string }; streams: ProbedStream[] };
  return { duration: Number(out.format.duration), video: out.streams.find((s) => s.codec_type === 'video')!, audio: out.streams.find((s) => s.codec_type === 'audio') };
}
