// One time axis for an incident: its recorded video segments, its units' GPS tracks and its
// timeline, every item with ISO times; and the evidence pack built from the same parts.
import { createHash } from 'node:crypto';
import { createWriteStream, type Stats } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Replay } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { track } from '@hub/telemetry';
import { tarStream, type TarEntry } from './tar';
import type { IncidentService, RecordingSource } from './service';

/** The axis starts this long before the incident (what led to it), ms. */
const LEAD_MS = 60_000;

export async function replay(service: IncidentService, db: Queryable, id: number): Promise<Replay & { segmentFiles: Map<string, string>; segmentsElsewhere: Map<string, string | null> }> {
  const incident = await service.get(id);
  const from = new Date(Date.parse(incident.createdAt) - LEAD_MS);
  const ended = [...incident.timeline].reverse().find((e) => e.toState === 'closed' || e.toState === 'resolved');
  const reopened = incident.state !== 'resolved' && incident.state !== 'closed';
  const to = reopened || !ended ? new Date() : new Date(ended.ts);
  const unitIds = [...new Set([incident.unitId, ...incident.units.map((u) => u.unitId)].filter((u): u is string => !!u))];
  const tracks = await Promise.all(
    unitIds.map(async (unitId) => ({
      unitId,
      points: (await track(db, unitId, from, to, { limit: 50_000 })).map((p) => ({ ts: p.ts, lat: p.lat, lon: p.lon, speed: p.speed, heading: p.heading })),
    })),
  );
  const recorded = service.recordings ? await service.recordings.forIncident(id) : { segments: [], playlists: [] };
  const segmentFiles = new Map<string, string>();
  /** segments whose file is not on this hub's disk → the hub that recorded them */
  const segmentsElsewhere = new Map<string, string | null>();
  const segments = recorded.segments
    .map(({ path: file, hubId, ...s }) => {
      if (file) segmentFiles.set(`${s.recordingId}/${s.seq}`, file);
      else segmentsElsewhere.set(`${s.recordingId}/${s.seq}`, hubId ?? null);
      return { ...s, start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() };
    })
    .sort((a, b) => a.start.localeCompare(b.start) || a.seq - b.seq);
  return {
    incidentId: id,
    from: from.toISOString(),
    to: to.toISOString(),
    segments,
    playlists: recorded.playlists,
    tracks,
    timeline: incident.timeline,
    segmentFiles,
    segmentsElsewhere,
  };
}

function trackGeoJson(r: Replay): string {
  return JSON.stringify(
    {
      type: 'FeatureCollection',
      features: r.tracks.map((t) => ({
        type: 'Feature',
        properties: { unitId: t.unitId, times: t.points.map((p) => p.ts) },
        geometry: { type: 'LineString', coordinates: t.points.map((p) => [p.lon, p.lat]) },
      })),
    },
    null,
    1,
  );
}

function trackCsv(r: Replay): string {
  const lines = ['unit_id,ts,lat,lon,speed_mps,heading_deg'];
  for (const t of r.tracks) for (const p of t.points) lines.push([t.unitId, p.ts, p.lat, p.lon, p.speed ?? '', p.heading ?? ''].join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * The evidence pack: incident.json, timeline.json, track.geojson, track.csv, the segments, and
 * last `manifest-sha256.txt` (sha256sum format: every other file's SHA-256) and manifest.json.
 */
export async function evidencePack(service: IncidentService, db: Queryable, id: number): Promise<{ name: string; stream: Readable }> {
  const r = await replay(service, db, id);
  const incident = await service.get(id);
  const root = `incident-${id}`;
  const mem = (name: string, text: string): TarEntry => {
    const data = Buffer.from(text, 'utf8');
    return { name: `${root}/${name}`, size: data.length, data };
  };
  const fixed: TarEntry[] = [
    mem('incident.json', JSON.stringify({ ...incident, timeline: undefined }, null, 1)),
    mem('timeline.json', JSON.stringify(r.timeline, null, 1)),
    mem('track.geojson', trackGeoJson(r)),
    mem('track.csv', trackCsv(r)),
    mem('replay.json', JSON.stringify({ ...r, segmentFiles: undefined, segmentsElsewhere: undefined }, null, 1)),
  ];
  const files: TarEntry[] = [];
  // external reports and their snapshots
  const { rows: reports } = await db.query<{
    source: string;
    type: string;
    external_id: string | null;
    ts: Date | string;
    lat: number;
    lon: number;
    description: string | null;
    snapshot_path: string | null;
    snapshot_sha256: string | null;
    received_at: Date | string;
  }>(`SELECT source, type, external_id, ts, lat, lon, description, snapshot_path, snapshot_sha256, received_at FROM incident_reports WHERE incident_id = $1 ORDER BY id`, [id]);
  if (reports.length) {
    fixed.push(
      mem(
        'reports.json',
        JSON.stringify(
          reports.map(({ snapshot_path: _p, ...r }) => ({ ...r, ts: new Date(r.ts).toISOString(), received_at: new Date(r.received_at).toISOString() })),
          null,
          1,
        ),
      ),
    );
    for (const r of reports) {
      if (!r.snapshot_path || !r.snapshot_sha256) continue;
      const st = await stat(r.snapshot_path).catch(() => undefined);
      if (st && !files.some((f) => f.name.endsWith(`${r.snapshot_sha256}.jpg`))) {
        files.push({ name: `${root}/snapshots/${r.snapshot_sha256}.jpg`, size: st.size, mtime: st.mtime, data: { file: r.snapshot_path } });
      }
    }
  }
  // other packages' parts (the scene photos of verification): an index and the files, hashed below like the rest
  // (and their words for the manifest: a case closed without its photo says why there)
  const partsManifest: Record<string, unknown> = {};
  for (const part of service.evidenceParts) {
    const { dir, index, files: parts, manifest } = await part(id);
    Object.assign(partsManifest, manifest);
    if (parts.length === 0) continue;
    fixed.push(mem(`${dir}/index.json`, JSON.stringify(index, null, 1)));
    for (const f of parts) {
      const st = await stat(f.path).catch(() => undefined);
      if (st) files.push({ name: `${root}/${dir}/${f.name}`, size: st.size, mtime: st.mtime, data: { file: f.path } });
    }
  }
  // A segment recorded by another hub of the cluster is fetched from it into a folder of this
  // pack's own (removed once the pack is sent) and goes in only if its SHA-256 is the one the
  // recorder indexed. One that cannot go in is named in the manifest with the reason, never
  // left out in silence.
  const notIncluded: { recordingId: string | number; seq: number; sha256: string | null; reason: string }[] = [];
  let fetchedDir: string | undefined;
  for (const s of r.segments) {
    const key = `${s.recordingId}/${s.seq}`;
    let file = r.segmentFiles.get(key);
    let st = file ? await stat(file).catch(() => undefined) : undefined;
    const hub = r.segmentsElsewhere.get(key);
    if ((!file || !st) && hub && service.recordings?.fetchSegment) {
      fetchedDir ??= await mkdtemp(path.join(tmpdir(), `hub-evidence-${id}-`));
      const fetched = await fetchSegment(service.recordings.fetchSegment, String(s.recordingId), s.seq, hub, s.sha256, path.join(fetchedDir, `${String(s.recordingId).slice(0, 36)}-${s.seq}.ts`));
      if (typeof fetched === 'string') {
        notIncluded.push({ recordingId: s.recordingId, seq: s.seq, sha256: s.sha256, reason: fetched });
        continue;
      }
      [file, st] = [fetched.file, fetched.st];
    }
    if (!file || !st) {
      notIncluded.push({
        recordingId: s.recordingId,
        seq: s.seq,
        sha256: s.sha256,
        reason: hub ? `recorded by hub ${hub}, whose disk holds its file` : 'its file is not on this hub’s disk (removed, or recorded by another hub)',
      });
      continue;
    }
    files.push({ name: `${root}/segments/${s.unitId}/${String(s.recordingId).slice(0, 36)}-${s.seq}${path.extname(file)}`, size: st.size, mtime: st.mtime, data: { file } });
  }
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  const onData = (name: string, chunk: Buffer) => {
    let h = hashes.get(name);
    if (!h) hashes.set(name, (h = createHash('sha256')));
    h.update(chunk);
  };
  async function* entries(): AsyncGenerator<TarEntry> {
    for (const e of [...fixed, ...files]) yield e;
    const digests = [...hashes].map(([name, h]) => [name.slice(root.length + 1), h.digest('hex')] as const);
    const expected = new Map(r.segments.filter((s) => s.sha256).map((s) => [`${s.recordingId}/${s.seq}`, s.sha256]));
    yield mem('manifest-sha256.txt', digests.map(([n, d]) => `${d}  ${n}`).join('\n') + '\n');
    yield mem(
      'manifest.json',
      JSON.stringify(
        {
          incidentId: id,
          createdAt: new Date().toISOString(),
          algorithm: 'SHA-256',
          files: Object.fromEntries(digests),
          recordedSha256: Object.fromEntries(expected),
          ...(notIncluded.length ? { segmentsNotIncluded: notIncluded } : {}),
          ...partsManifest,
        },
        null,
        1,
      ),
    );
  }
  const stream = Readable.from(tarStream(entries(), onData));
  if (fetchedDir) {
    const dir = fetchedDir;
    stream.once('close', () => void rm(dir, { recursive: true, force: true }));
  }
  return { name: `${root}.tar`, stream };
}

/**
 * Fetches a segment recorded by another hub into `file`, hashing it on the way. Resolves with
 * the file when its SHA-256 is the recorded one, else with the reason it is left out.
 */
async function fetchSegment(
  fetchFrom: NonNullable<RecordingSource['fetchSegment']>,
  recordingId: string,
  seq: number,
  hubId: string,
  sha256: string | null,
  file: string,
): Promise<{ file: string; st: Stats } | string> {
  const hash = createHash('sha256');
  try {
    const body = await fetchFrom(recordingId, seq, hubId);
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(file),
    );
  } catch (err) {
    return `recorded by hub ${hubId}, which did not send its file (${(err as Error).message})`;
  }
  const digest = hash.digest('hex');
  if (sha256 && digest !== sha256) return `recorded by hub ${hubId}, which sent a file whose SHA-256 (${digest}) is not the recorded one`;
  return { file, st: await stat(file) };
}
