// The media role: the WebRTC SFU with WHIP publish and WHEP view on the hub's port.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { HubConfig } from '@hub/config';
import { WeriftRouter, whipWhep, type Router } from '@hub/media-server';
import { checkOperatorToken } from '@hub/telemetry/api/auth';
import { verifyCredential } from '@hub/telemetry/store/credentials';

/**
 * Who may do what: an operator token publishes and views any stream; a unit's credential,
 * sent as `Bearer {unitId}:{secret}`, publishes its own stream (stream id = unit id) only.
 */
async function authorize(db: pg.Pool, adminToken: string, token: string | undefined, action: 'publish' | 'view', streamId: string): Promise<boolean> {
  if (checkOperatorToken(token, adminToken)) return true;
  if (action !== 'publish' || !token) return false;
  const colon = token.indexOf(':');
  if (colon <= 0) return false;
  const unitId = token.slice(0, colon);
  return unitId === streamId && (await verifyCredential(db, unitId, token.slice(colon + 1))) === 'ok';
}

export async function startMedia(app: FastifyInstance, config: HubConfig, db: pg.Pool, adminToken: string): Promise<Router> {
  const router = new WeriftRouter({ additionalHostAddresses: config.media.additionalHostAddresses, portRange: config.media.portRange });
  await app.register(whipWhep, { router, authorize: (token, action, streamId) => authorize(db, adminToken, token, action, streamId) });
  return router;
}
