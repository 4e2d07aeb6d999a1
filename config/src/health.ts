// The hub's operational answers: GET /health (for load balancers and the operator) and the
// ingest rejection log (GET /api/ingest/rejections), so a device's wrong messages can be read.
import { z } from 'zod';

/** Why a unit's message was refused. */
export const RejectionReasonSchema = z.enum([
  'not_json',
  'invalid_fields',
  'unit_mismatch',
  'ts_in_future',
  'too_old',
  'unknown_topic',
  /** passed validation, but the database refused the row (its batch neighbours were stored) */
  'refused_by_database',
]);
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;

export const RejectionSchema = z.object({
  at: z.iso.datetime(),
  unitId: z.string(),
  topic: z.string(),
  reason: RejectionReasonSchema,
  /** what was wrong, for the operator: e.g. "lat: Too big: expected number to be <=90" */
  detail: z.string(),
});
export type Rejection = z.infer<typeof RejectionSchema>;

export const RejectionListSchema = z.object({ rejections: RejectionSchema.array() });

export const HealthSchema = z.object({
  /** ok: the database answers and the MQTT port listens; otherwise down (HTTP 503) */
  status: z.enum(['ok', 'down']),
  database: z.object({
    up: z.boolean(),
    latencyMs: z.number().optional(),
    /** why it is down, in the driver's or the supervisor's words */
    error: z.string().optional(),
    server: z.enum(['embedded', 'external']),
    /** the embedded server's supervisor: running, restarting after a crash, or stopped */
    state: z.enum(['running', 'restarting', 'stopped']).optional(),
    restarts: z.number().int().optional(),
    lastExitAt: z.iso.datetime().optional(),
  }),
  mqtt: z.object({ up: z.boolean(), connectedUnits: z.number().int() }),
  /** positions waiting for their batch insert */
  ingestQueueDepth: z.number().int(),
  /**
   * with cluster.redisUrl: whether Redis answers and how many hubs hold a lease. Redis down
   * does not make the hub down (PostgreSQL is the record): ingest goes on, the walls see only
   * this hub's units until Redis is back.
   */
  cluster: z
    .object({
      hubId: z.string(),
      redis: z.enum(['up', 'down']),
      hubs: z.number().int(),
      error: z.string().optional(),
    })
    .optional(),
});
export type Health = z.infer<typeof HealthSchema>;
