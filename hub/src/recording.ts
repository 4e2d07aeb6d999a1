// Recording in the hub: the Recorder on the media role's router, its REST API under
// /api/recordings (operator sessions), files under dataDir/recordings, the retention sweep
// (which keeps the recordings of open incidents), and the incidents' replay and
// evidence pack fed with the recorded segments.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import type { Router } from '@hub/media-server';
import { Recorder, recordingApi } from '@hub/media-server/recording/index';
import type { Telemetry } from '@hub/telemetry';
import { operatorAuth } from '@hub/telemetry/api/auth';
import type { StreamIds } from './stream-ids';

export interface StartRecorderOptions {
  config: HubConfig;
  db: pg.Pool;
  router: Router;
  /** unit id ↔ stream id: linkage and operators name a unit, the SFU knows its stream id */
  streamIds: StreamIds;
  telemetry: Telemetry;
  log: Logger;
}

export async function startRecorder(app: FastifyInstance, { config, db, router, streamIds, telemetry, log }: StartRecorderOptions): Promise<Recorder> {
  const recorder = new Recorder({
    router,
    db,
    dir: path.resolve(config.dataDir, 'recordings'),
    log: log.child({ module: 'recording' }),
    segmentSeconds: config.recording.segmentSeconds,
    retentionDays: config.recording.retentionDays,
    sweepIntervalSeconds: config.recording.sweepIntervalSeconds,
    // a unit's id names its stream; any other id is a stream id (an operator's own stream)
    resolve: async (id) => {
      const streamId = await streamIds.forUnit(id);
      if (streamId) return { streamId, unitId: id };
      return { streamId: id, unitId: (await streamIds.unitOf(id)) ?? id };
    },
    // an open incident's recordings (before resolved, as the incidents API counts "open") outlive retention
    keep: async (recording) => {
      if (recording.incidentId === null || !/^\d+$/.test(recording.incidentId)) return false;
      const incident = await telemetry.incidents.get(Number(recording.incidentId)).catch(() => undefined);
      return incident !== undefined && incident.state !== 'resolved' && incident.state !== 'closed';
    },
  });
  await recorder.init();
  telemetry.incidents.recordings = recorder;
  await app.register(recordingApi, { recorder, authorize: operatorAuth((token) => telemetry.operators.authenticate(token)) });
  return recorder;
}

export type { Recorder };
