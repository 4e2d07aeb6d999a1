// Recording in the hub: the Recorder on the media role's router, its REST API under
// /api/recordings (operator token), files under dataDir/recordings, the retention sweep.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { HubConfig } from '@hub/config';
import type { Router } from '@hub/media-server';
import { Recorder, recordingApi } from '@hub/media-server/recording/index';
import { operatorAuth, type Authenticate } from '@hub/telemetry/api/auth';

export interface StartRecorderOptions {
  config: HubConfig;
  db: pg.Pool;
  router: Router;
  /** who is asking (OperatorAuth.authenticate) */
  authenticate: Authenticate;
  log: Logger;
}

export async function startRecorder(app: FastifyInstance, { config, db, router, authenticate, log }: StartRecorderOptions): Promise<Recorder> {
  const recorder = new Recorder({
    router,
    db,
    dir: path.resolve(config.dataDir, 'recordings'),
    log: log.child({ module: 'recording' }),
    segmentSeconds: config.recording.segmentSeconds,
    retentionDays: config.recording.retentionDays,
    sweepIntervalSeconds: config.recording.sweepIntervalSeconds,
  });
  await recorder.init();
  await app.register(recordingApi, { recorder, authorize: operatorAuth(authenticate) });
  return recorder;
}

export type { Recorder };
