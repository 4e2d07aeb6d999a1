// The media role: the WebRTC SFU with WHIP publish and WHEP view on the hub's port.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { HubConfig } from '@hub/config';
import { WeriftRouter, whipWhep, type Router } from '@hub/media-server';
import { verifyCredential } from '@hub/telemetry/store/credentials';
import { operatorAuth } from '@hub/telemetry/api/auth';
import { recordAudit } from '@hub/telemetry/store/audit';
import type { Telemetry } from '@hub/telemetry';
import type { Logger } from 'pino';
import { StreamStartError, StreamsOnDemand } from './on-demand';

/**
 * Who may do what: an operator (session or admin token) publishes and views any stream, and
 * each view is audited; a unit's credential, sent as `Bearer {unitId}:{secret}`, publishes
 * its own stream (stream id = unit id) only.
 */
async function authorize(db: pg.Pool, telemetry: Telemetry, token: string | undefined, action: 'publish' | 'view', streamId: string): Promise<boolean> {
  const principal = await telemetry.operators.authenticate(token);
  if (principal) {
    if (action === 'view') await recordAudit(db, { actor: principal.username, action: 'video_view', target: streamId });
    return true;
  }
  if (action !== 'publish' || !token) return false;
  const colon = token.indexOf(':');
  if (colon <= 0) return false;
  const unitId = token.slice(0, colon);
  return unitId === streamId && (await verifyCredential(db, unitId, token.slice(colon + 1))) === 'ok';
}

export interface Media {
  router: Router;
  onDemand: StreamsOnDemand;
  close(): void;
}

export async function startMedia(app: FastifyInstance, config: HubConfig, db: pg.Pool, telemetry: Telemetry, log: Logger): Promise<Media> {
  const router = new WeriftRouter({ additionalHostAddresses: config.media.additionalHostAddresses, portRange: config.media.portRange });
  await app.register(whipWhep, { router, authorize: (token, action, streamId) => authorize(db, telemetry, token, action, streamId) });
  const onDemand = new StreamsOnDemand({
    router,
    telemetry,
    idleStopSeconds: config.media.idleStopSeconds,
    startTimeoutSeconds: config.media.startTimeoutSeconds,
    log: log.child({ module: 'on-demand' }),
  });
  await app.register(async (scope) => {
    scope.addHook('onRequest', operatorAuth((token) => telemetry.operators.authenticate(token)));
    scope.post<{ Params: { unitId: string } }>('/api/streams/:unitId/start', async (req, reply) => {
      try {
        return { unitId: req.params.unitId, state: await onDemand.start(req.params.unitId), whep: `/whep/${req.params.unitId}` };
      } catch (err) {
        if (err instanceof StreamStartError) return reply.code(err.statusCode).send({ code: err.code, message: err.message });
        throw err;
      }
    });
  });
  return {
    router,
    onDemand,
    close() {
      onDemand.close();
      router.close();
    },
  };
}
