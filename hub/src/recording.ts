// Recording in the hub: the Recorder on the media role's router, its REST API under
// /api/recordings (operator sessions; starting and stopping needs a coordinator), files under
// dataDir/recordings, the retention sweep (which keeps the recordings of open incidents), the
// incidents' replay and evidence pack fed with the recorded segments, every start and
// stop in the audit log, and a stalled recording raised as a `recording_stalled` alarm
// (through the alarm service, so that walls see it) and counted (hub_recording_stalls_total).
// In a cluster a recording is made once, by the hub that hosts the stream's producer: a start
// or stop asked on another hub (the linkage rules run where the alarm came in, REST calls
// where the load balancer sent them) is passed to that hub (ClusterRecorder).
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { AlarmService } from '@hub/alarms';
import { OPEN_INCIDENT_STATES, type HubConfig, type IncidentState, type Recording } from '@hub/config';
import type { RecordingSource } from '@hub/incidents';
import { HubError } from '@hub/platform';
import { Recorder, recordingApi, type RecorderOptions, type RecordingStall, type Router, type StartRecordingOptions, type StopRecordingOptions } from '@hub/media-server';
import type { Telemetry } from '@hub/telemetry';
import { operatorAuth, requireRole, recordAudit } from '@hub/identity';
import type { StreamIds } from './stream-ids';
import type { ClusterStreams } from './cluster/streams';
import type { Media } from './media';

export interface StartRecorderOptions {
  config: HubConfig;
  db: pg.Pool;
  router: Router;
  /** unit id ↔ stream id: linkage and operators name a unit, the SFU knows its stream id */
  streamIds: StreamIds;
  telemetry: Telemetry;
  log: Logger;
  /** the other hubs of a cluster, and the admin token every hub takes; default none: this hub records alone */
  cluster?: { streams: ClusterStreams; token: string };
}

export async function startRecorder(app: FastifyInstance, { config, db, router, streamIds, telemetry, log, cluster }: StartRecorderOptions): Promise<Recorder> {
  // a unit's id names its stream; any other id is a stream id (an operator's own stream)
  const resolve = async (id: string) => {
    const streamId = await streamIds.forUnit(id);
    if (streamId) return { streamId, unitId: id };
    return { streamId: id, unitId: (await streamIds.unitOf(id)) ?? id };
  };
  const options: RecorderOptions = {
    router,
    db,
    dir: path.resolve(config.dataDir, 'recordings'),
    log: log.child({ module: 'recording' }),
    segmentSeconds: config.recording.segmentSeconds,
    stallAfterSeconds: 3 * config.recording.segmentSeconds,
    retentionDays: config.recording.retentionDays,
    sweepIntervalSeconds: config.recording.sweepIntervalSeconds,
    resolve,
    // in a cluster each recording names the hub whose disk holds it, and a hub that starts leaves the live hubs' recordings open
    ...(cluster ? { hubId: cluster.streams.hubId, otherLiveHubs: () => cluster.streams.otherLiveHubs() } : {}),
    // an open incident's recordings outlive retention (the incidents' own list of open states)
    keep: async (recording) => {
      if (recording.incidentId === null || !/^\d+$/.test(recording.incidentId)) return false;
      const { rows } = await db.query<{ state: IncidentState }>('SELECT state FROM incidents WHERE id = $1', [Number(recording.incidentId)]);
      return !!rows[0] && OPEN_INCIDENT_STATES.includes(rows[0].state);
    },
  };
  const recorder = cluster ? new ClusterRecorder(options, cluster, resolve) : new Recorder(options);
  await recorder.init();
  auditRecordings(recorder, db, log);
  alarmOnStall(recorder, app.alarms, telemetry, log);
  await app.register(recordingApi, {
    recorder,
    authorize: operatorAuth((token) => telemetry.operators.authenticate(token)),
    // evidence is started and stopped by the linkage rules or a coordinator (an open
    // incident's recording too): a viewer watches, and may do neither
    control: requireRole('coordinator'),
    actorOf: (request) => request.operator,
    ...(cluster
      ? {
          segmentElsewhere: async (recordingId: string, seq: number) => {
            const hubId = (await recorder.get(recordingId))?.hubId;
            if (!hubId || hubId === cluster.streams.hubId) return undefined;
            const res = await cluster.streams.fetchFrom(hubId, `/api/recordings/${recordingId}/segments/${seq}.ts`, cluster.token).catch((err: unknown) => {
              throw new SegmentHostUnreachableError(recordingId, seq, hubId, (err as Error).message);
            });
            if (!res.body) return undefined;
            return { body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), bytes: res.headers.get('content-length'), etag: res.headers.get('etag') };
          },
        }
      : {}),
  });
  return recorder;
}

export type { Recorder };

/**
 * A Recorder in a cluster: a stream whose producer another hub hosts is recorded there (its
 * segments are written where the media is), through that hub's /api/recordings with the
 * cluster's admin token; a recording this hub does not hold is stopped there too.
 */
class ClusterRecorder extends Recorder {
  constructor(
    options: RecorderOptions,
    private readonly cluster: { streams: ClusterStreams; token: string },
    private readonly resolveStream: (id: string) => Promise<{ streamId: string; unitId: string }>,
  ) {
    super(options);
  }

  override async start(stream: string, opts: StartRecordingOptions = {}): Promise<Recording> {
    const { streamId } = await this.resolveStream(stream);
    const host = await this.cluster.streams.otherHost(streamId);
    if (!host) return super.start(stream, opts);
    const body = {
      streamId,
      ...(opts.unitId ? { unitId: opts.unitId } : {}),
      ...(opts.incidentId === undefined ? {} : { incidentId: String(opts.incidentId) }),
      ...(opts.reason ? { reason: opts.reason } : {}),
    };
    return this.#remote(host, streamId, '/api/recordings', body, 201);
  }

  override async stop(id: string, opts: StopRecordingOptions = {}): Promise<Recording[]> {
    const stopped = await super.stop(id, opts);
    if (stopped.length > 0) return stopped;
    // not held here: a running recording (by its id) made where its stream is hosted
    const recording = await this.get(id);
    const host = recording && !recording.endedAt ? await this.cluster.streams.otherHost(recording.streamId) : undefined;
    if (!recording || !host) return stopped;
    return [await this.#remote(host, recording.streamId, `/api/recordings/${recording.id}/stop`, undefined, 200)];
  }

  async #remote(host: { hubId: string; url: string | undefined }, streamId: string, path: string, body: object | undefined, expected: number): Promise<Recording> {
    const answer = await this.cluster.streams.call(host, streamId, path, this.cluster.token, body);
    if (answer.status !== expected) {
      const error = answer.body as { code?: string; message?: string } | undefined;
      throw new HubError(error?.code ?? 'HUB_ERR_STREAM_HOST_UNREACHABLE', answer.status, `hub ${host.hubId}, which hosts stream "${streamId}": ${error?.message ?? `answered ${answer.status}`}`);
    }
    return answer.body as Recording;
  }
}

/** Every recording's start and stop, from whatever asked (REST, the linkage rules, shutdown), is in the audit log. */
function auditRecordings(recorder: Recorder, db: pg.Pool, log: Logger): void {
  const audit = (action: 'recording_start' | 'recording_stop', r: Recording, by: string) =>
    recordAudit(db, {
      actor: by,
      action,
      target: r.id,
      detail: { streamId: r.streamId, unitId: r.unitId, incidentId: r.incidentId, reason: r.reason, ...(action === 'recording_stop' ? { segments: r.segments, durationMs: r.durationMs } : {}) },
    }).catch((err: unknown) => log.error({ err, recordingId: r.id, action }, 'recording: the audit row was not written'));
  recorder.on('start', (r, by) => void audit('recording_start', r, by));
  recorder.on('end', (r, by) => void audit('recording_stop', r, by));
}

/** A recording that writes nothing is an alarm on its unit, and a figure at /metrics. */
function alarmOnStall(recorder: Recorder, alarms: AlarmService, telemetry: Telemetry, log: Logger): void {
  const stalls = new Counter({
    name: 'hub_recording_stalls_total',
    help: 'Recordings that wrote no segment for 3 × recording.segmentSeconds while their publisher was there (ffmpeg was started again)',
    registers: [telemetry.metrics.registry],
  });
  recorder.on('stall', (stall: RecordingStall) => {
    stalls.inc();
    const { unitId, silentMs, ...details } = stall;
    alarms
      .raiseSystemAlarm({ unitId, kind: 'recording_stalled', ts: new Date(), details: { ...details, silentSeconds: Math.round(silentMs / 1000) } })
      .catch((err: unknown) => log.error({ err, recordingId: stall.recordingId }, 'recording: the stall alarm was not stored'));
  });
}

/** An incident's recordings, as the replay and the evidence pack read them. */
export function recordingSource(recorder: Recorder, segmentFromHub?: Media['segmentFromHub']): RecordingSource {
  return {
    ...(segmentFromHub ? { fetchSegment: (recordingId: string, seq: number, hubId: string) => segmentFromHub(hubId, recordingId, seq) } : {}),
    async forIncident(incidentId) {
      const recordings = await recorder.list({ incidentId: String(incidentId), limit: 1000 });
      const segments: Awaited<ReturnType<RecordingSource['forIncident']>>['segments'] = [];
      for (const r of recordings) {
        for (const s of await recorder.segments(r.id)) {
          const file = await recorder.segmentFile(r.id, s.seq).then(
            (f) => f.file,
            () => undefined,
          );
          segments.push({
            recordingId: r.id,
            unitId: r.unitId,
            seq: s.seq,
            start: s.startedAt,
            end: new Date(Date.parse(s.startedAt) + s.durationMs).toISOString(),
            url: s.url,
            sha256: s.sha256,
            bytes: s.bytes,
            ...(file ? { path: file } : { hubId: r.hubId ?? null }),
          });
        }
      }
      return { segments, playlists: recordings.map((r) => ({ recordingId: r.id, unitId: r.unitId, url: `/api/recordings/${r.id}/index.m3u8` })) };
    },
  };
}

/** A segment recorded by another hub that this hub cannot fetch: 502 with what to do. */
export class SegmentHostUnreachableError extends HubError {
  constructor(recordingId: string, seq: number, hubId: string, why: string) {
    super(
      'HUB_ERR_SEGMENT_HOST_UNREACHABLE',
      502,
      `segment ${seq} of recording ${recordingId} is on the disk of hub ${hubId}, which this hub cannot reach (${why}); it plays again once that hub is back`,
    );
  }
}
