// Server-side recording of live streams, from the SFU's RTP: start a stream's recording
// (for an incident, an SOS, an operator), stop it, list and replay what was recorded, and
// delete what retention no longer keeps. Other code drives it: the REST API (api.ts), and
// the incidents work through `hub.media.recorder`.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Recording, RecordingListQuery, RecordingSegment } from '@hub/config';
import type { Router } from '../engine/types';
import { RecorderClosedError, RecordingNotFoundError, SegmentNotFoundError } from './errors';
import { findFfmpeg } from './ffmpeg-part';
import { buildPlaylist } from './playlist';
import { RecordingSession } from './session';
import {
  deleteRecording,
  endOrphanRecordings,
  endRecording,
  endRecordingsOfHub,
  endedBefore,
  getRecording,
  getSegment,
  insertRecording,
  listRecordings,
  listSegments,
  segmentOut,
  type RecordingRow,
} from './store';
import type { Queryable, RecorderLog } from './types';

/** true keeps a recording past retention, e.g. while its incident is open */
export type KeepPredicate = (recording: Recording) => boolean | Promise<boolean>;

export interface RecorderOptions {
  router: Router;
  db: Queryable;
  /** the recordings folder (e.g. dataDir/recordings); each recording gets a sub-folder named by its id */
  dir: string;
  log: RecorderLog;
  /** default: the system ffmpeg when on PATH, else @ffmpeg-installer's */
  ffmpegPath?: string;
  /** target segment length, seconds (cut at the next keyframe); default 2 */
  segmentSeconds?: number;
  /** a recording with a publisher but no new segment for this long has stalled (event `stall`, ffmpeg restarted), seconds; default 3 × segmentSeconds */
  stallAfterSeconds?: number;
  /** recordings that ended longer ago than this are deleted by the sweep; default 30 */
  retentionDays?: number;
  /** how often the sweep runs by itself, seconds; default 3600; 0 = only when called */
  sweepIntervalSeconds?: number;
  /** recordings for which this is true survive the sweep; default none */
  keep?: KeepPredicate;
  /** how often a recording looks for its stream's (new) producer, ms; default 250 */
  followMs?: number;
  /**
   * What `start` and `stop` are given (a stream id, or something that names one, such as a
   * unit id) → the stream id to follow and the unit filmed; default the id itself for both
   */
  resolve?: (id: string) => Promise<{ streamId: string; unitId: string }>;
  /** in a cluster, this hub's name: each recording carries the hub that makes it (its disk holds the segments) */
  hubId?: string;
  /** in a cluster, the other hubs alive now: at start, their open recordings are not orphans */
  otherLiveHubs?: () => Promise<string[]>;
}

export interface StartRecordingOptions {
  /** why, e.g. "incident", "sos", "operator"; default "incident" with an incident, else "operator" */
  reason?: string;
  incidentId?: string | number;
  /** the unit filmed; default what `resolve` says (else the stream id) */
  unitId?: string;
  /** who starts it, for the `start` event (the audit log): an operator's username, "linkage"…; default "system" */
  by?: string;
}

export interface StopRecordingOptions {
  /** only the recordings of this incident */
  incidentId?: string | number;
  /** who stops it, for the `end` event (the audit log); default "system" */
  by?: string;
}

/** An incident's recorded video, as the incident replay and evidence pack take it. */
export interface IncidentRecordings {
  segments: { recordingId: string; unitId: string; seq: number; start: string; end: string; url: string; sha256: string; path: string }[];
  playlists: { recordingId: string; unitId: string; url: string }[];
}

/** A recording that wrote no segment for `stallAfterSeconds` while its publisher was there. */
export interface RecordingStall {
  recordingId: string;
  streamId: string;
  unitId: string;
  incidentId: string | null;
  /** how long no segment came, ms */
  silentMs: number;
  /** segments indexed before the stall */
  segments: number;
  /** false: no ffmpeg ran (no keyframe came to start one); true: the running one wrote nothing and was stopped */
  partRunning: boolean;
}

export interface SweepResult {
  deleted: string[];
  kept: string[];
}

export type RecorderEvents = {
  /** `by`: who started it (StartRecordingOptions.by) */
  start: [Recording, by: string];
  /** a segment closed, was hashed and indexed */
  segment: [recordingId: string, segment: RecordingSegment];
  /** `by`: who stopped it (StopRecordingOptions.by; "shutdown" when the recorder closed) */
  end: [Recording, by: string];
  /** no segment for `stallAfterSeconds` with a publisher there: ffmpeg is started again from the next keyframe; once per stall */
  stall: [RecordingStall];
};

export class Recorder extends EventEmitter<RecorderEvents> {
  readonly #opts: RecorderOptions;
  readonly #ffmpegPath: string;
  readonly #sessions = new Map<string, RecordingSession>();
  #keep: KeepPredicate | undefined;
  #followTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: RecorderOptions) {
    super();
    this.#opts = opts;
    this.#ffmpegPath = opts.ffmpegPath ?? findFfmpeg();
    this.#keep = opts.keep;
  }

  /** In a cluster: another hub died (its lease was swept); the recordings it was making end where their last segment ends. */
  async endRecordingsOf(hubId: string): Promise<void> {
    if (hubId === this.#opts.hubId) return;
    const ended = await endRecordingsOfHub(this.#opts.db, hubId);
    if (ended.length) this.#opts.log.warn({ recordings: ended, hubId }, 'recording: ended the recordings of a hub that died');
  }

  /** Ends recordings a previous run left open, and starts following streams and sweeping. */
  async init(): Promise<void> {
    await mkdir(this.#opts.dir, { recursive: true });
    const makers =
      (await this.#opts.otherLiveHubs?.().catch((err: unknown) => {
        // without the cluster's word, another hub's recording might be ended: none is
        this.#opts.log.warn({ err }, 'recording: the live hubs are not known; recordings left open stay open');
        return undefined;
      })) ?? (this.#opts.otherLiveHubs ? undefined : []);
    const orphans = makers ? await endOrphanRecordings(this.#opts.db, makers) : [];
    if (orphans.length) this.#opts.log.warn({ recordings: orphans }, 'recording: ended recordings left open by a hub that stopped');
    this.#followTimer = setInterval(() => this.#follow(), this.#opts.followMs ?? 250);
    this.#followTimer.unref();
    const sweepSeconds = this.#opts.sweepIntervalSeconds ?? 3600;
    if (sweepSeconds > 0) {
      this.#sweepTimer = setInterval(() => {
        this.sweep().catch((err: unknown) => this.#opts.log.error({ err }, 'recording: retention sweep failed'));
      }, sweepSeconds * 1000);
      this.#sweepTimer.unref();
    }
  }

  /** Sets what keeps a recording past retention (e.g. "its incident is still open"). */
  keepWhen(predicate: KeepPredicate | undefined): void {
    this.#keep = predicate;
  }

  /**
   * Starts recording `streamId`. It need not be live yet: the recording waits for its
   * publisher, and follows the stream id when a publisher drops and returns. Starting a
   * stream already recorded for the same incident (or both for none) returns that recording.
   */
  async start(stream: string, opts: StartRecordingOptions = {}): Promise<Recording> {
    if (this.#closed) throw new RecorderClosedError();
    const { streamId, unitId } = await this.#resolve(stream);
    const incidentId = opts.incidentId === undefined ? null : String(opts.incidentId);
    for (const s of this.#sessions.values()) {
      if (s.streamId === streamId && s.recording.incidentId === incidentId) return this.#require(s.id);
    }
    const reason = opts.reason ?? (incidentId === null ? 'operator' : 'incident');
    const recording = { id: randomUUID(), streamId, unitId: opts.unitId ?? unitId, incidentId, reason, startedAt: new Date(), hubId: this.#opts.hubId ?? null };
    const segmentSeconds = this.#opts.segmentSeconds ?? 2;
    const session = new RecordingSession(recording, {
      db: this.#opts.db,
      root: this.#opts.dir,
      ffmpegPath: this.#ffmpegPath,
      segmentSeconds,
      log: this.#opts.log,
      onSegment: (row) => this.emit('segment', row.recordingId, segmentOut(row)),
      stallAfterMs: (this.#opts.stallAfterSeconds ?? 3 * segmentSeconds) * 1000,
      onStall: (stall) => this.emit('stall', { recordingId: recording.id, streamId, unitId: recording.unitId, incidentId, ...stall }),
    });
    await mkdir(session.dir, { recursive: true });
    await insertRecording(this.#opts.db, recording);
    this.#sessions.set(recording.id, session);
    session.follow(this.#opts.router.producers.get(streamId));
    this.#opts.log.info({ recordingId: recording.id, streamId, unitId: recording.unitId, incidentId, reason }, 'recording started');
    const out = await this.#require(recording.id);
    this.emit('start', out, opts.by ?? 'system');
    return out;
  }

  /**
   * Stops a recording (by its id) or the recordings of a stream (by the stream id, or what
   * `resolve` maps to one; only those of `incidentId` when given): ffmpeg closes the last
   * segment, every segment is indexed, the recording ends. Resolves with the recordings
   * stopped (none when nothing was recording).
   */
  async stop(id: string, opts: StopRecordingOptions = {}): Promise<Recording[]> {
    const byId = this.#sessions.get(id);
    let sessions = byId ? [byId] : [];
    if (!byId) {
      const { streamId } = await this.#resolve(id);
      sessions = [...this.#sessions.values()].filter((s) => s.streamId === streamId || s.streamId === id);
    }
    if (opts.incidentId !== undefined) sessions = sessions.filter((s) => s.recording.incidentId === String(opts.incidentId));
    return Promise.all(sessions.map((s) => this.#stopSession(s, opts.by ?? 'system')));
  }

  /** Every segment and playlist recorded for an incident, with the segments' files. */
  async forIncident(incidentId: string | number): Promise<IncidentRecordings> {
    const out: IncidentRecordings = { segments: [], playlists: [] };
    for (const r of await listRecordings(this.#opts.db, { incidentId: String(incidentId), limit: 1000 })) {
      out.playlists.push({ recordingId: r.id, unitId: r.unitId, url: `/api/recordings/${r.id}/index.m3u8` });
      for (const s of await listSegments(this.#opts.db, r.id)) {
        const start = s.startedAt.getTime();
        out.segments.push({
          recordingId: r.id,
          unitId: r.unitId,
          seq: s.seq,
          start: new Date(start).toISOString(),
          end: new Date(start + s.durationMs).toISOString(),
          url: segmentOut(s).url,
          sha256: s.sha256,
          path: path.resolve(this.#opts.dir, s.path),
        });
      }
    }
    return out;
  }

  async #resolve(id: string): Promise<{ streamId: string; unitId: string }> {
    return this.#opts.resolve ? this.#opts.resolve(id) : { streamId: id, unitId: id };
  }

  async #stopSession(session: RecordingSession, by: string): Promise<Recording> {
    const endedAt = new Date();
    await session.stop();
    await endRecording(this.#opts.db, session.id, endedAt);
    this.#sessions.delete(session.id);
    const out = await this.#require(session.id);
    this.#opts.log.info({ recordingId: session.id, segments: out.segments, durationMs: out.durationMs }, 'recording stopped');
    this.emit('end', out, by);
    return out;
  }

  /** Recordings running now (waiting for a publisher, or writing segments). */
  active(): { id: string; streamId: string; incidentId: string | null; state: Recording['state'] }[] {
    return [...this.#sessions.values()].map((s) => ({ id: s.id, streamId: s.streamId, incidentId: s.recording.incidentId, state: s.state }));
  }

  async list(query: Partial<RecordingListQuery> = {}): Promise<Recording[]> {
    return (await listRecordings(this.#opts.db, query)).map((r) => this.#out(r));
  }

  async get(id: string): Promise<Recording | undefined> {
    const row = await getRecording(this.#opts.db, id);
    return row && this.#out(row);
  }

  async segments(id: string): Promise<RecordingSegment[]> {
    await this.#require(id);
    return (await listSegments(this.#opts.db, id)).map(segmentOut);
  }

  /** The recording's HLS playlist, from its indexed segments. */
  async playlist(id: string): Promise<string> {
    const recording = await this.#require(id);
    return buildPlaylist(await listSegments(this.#opts.db, id), recording.state === 'ended');
  }

  /** Where a segment's file is, and its indexed size and hash. */
  async segmentFile(id: string, seq: number): Promise<{ file: string; bytes: number; sha256: string }> {
    const segment = await getSegment(this.#opts.db, id, seq);
    if (!segment) throw new SegmentNotFoundError(id, seq);
    const root = path.resolve(this.#opts.dir);
    const file = path.resolve(root, segment.path);
    if (!file.startsWith(root + path.sep)) throw new SegmentNotFoundError(id, seq);
    await stat(file).catch(() => {
      throw new SegmentNotFoundError(id, seq);
    });
    return { file, bytes: segment.bytes, sha256: segment.sha256 };
  }

  /**
   * Deletes the files and rows of recordings that ended more than `retentionDays` before
   * `now`, except those the keep predicate holds (e.g. attached to an open incident).
   */
  async sweep(now = new Date()): Promise<SweepResult> {
    const days = this.#opts.retentionDays ?? 30;
    const before = new Date(now.getTime() - days * 86_400_000);
    const result: SweepResult = { deleted: [], kept: [] };
    for (const row of await endedBefore(this.#opts.db, before)) {
      const recording = this.#out(row);
      if (this.#keep && (await this.#keep(recording))) {
        result.kept.push(row.id);
        continue;
      }
      // the rows first: a file without a row is only space, a row without its file is a lie
      await deleteRecording(this.#opts.db, row.id);
      await rm(path.join(this.#opts.dir, row.id), { recursive: true, force: true });
      result.deleted.push(row.id);
    }
    if (result.deleted.length || result.kept.length) this.#opts.log.info({ ...result, retentionDays: days }, 'recording: retention sweep');
    return result;
  }

  /** Stops every recording (each ends cleanly) and the timers. Safe twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#followTimer);
    clearInterval(this.#sweepTimer);
    await Promise.all([...this.#sessions.values()].map((s) => this.#stopSession(s, 'shutdown').catch((err: unknown) => this.#opts.log.error({ err }, 'recording: stop failed'))));
  }

  #follow(): void {
    for (const s of this.#sessions.values()) s.follow(this.#opts.router.producers.get(s.streamId));
  }

  async #require(id: string): Promise<Recording> {
    const recording = await this.get(id);
    if (!recording) throw new RecordingNotFoundError(id);
    return recording;
  }

  #out(r: RecordingRow): Recording {
    const session = this.#sessions.get(r.id);
    return {
      id: r.id,
      streamId: r.streamId,
      unitId: r.unitId,
      incidentId: r.incidentId,
      reason: r.reason,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      codec: r.codec,
      transcoded: r.transcoded,
      hubId: r.hubId,
      // ended once the row says so: the last segments are indexed before ended_at is written
      state: r.endedAt ? 'ended' : session?.state === 'ended' ? 'stopping' : (session?.state ?? 'waiting'),
      segments: r.segments,
      durationMs: r.durationMs,
      bytes: r.bytes,
    };
  }
}
