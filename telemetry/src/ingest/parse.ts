// Turns a unit's MQTT payload into a validated message, or says exactly why not.
import type { z } from 'zod';
import { findUnstorableText, UNSTORABLE_TEXT_MESSAGE } from '@hub/config';
import type { RejectionReason } from './rejections';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: RejectionReason; detail: string };

export function parsePayload<S extends z.ZodType>(schema: S, topicUnitId: string, payload: Buffer): Parsed<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'not_json', detail: `payload is not JSON: ${(err as Error).message}` };
  }
  return parseValue(schema, topicUnitId, json);
}

/** A message already out of its transport's encoding (JSON, or a JT/T 808 body) → validated, as parsePayload. */
export function parseValue<S extends z.ZodType>(schema: S, topicUnitId: string, json: unknown): Parsed<z.output<S>> {
  // A payload without unitId takes the topic's; one with another unit's id is refused.
  if (json && typeof json === 'object' && !Array.isArray(json) && !('unitId' in json)) {
    json = { ...(json as object), unitId: topicUnitId };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
    return { ok: false, reason: 'invalid_fields', detail };
  }
  // The one check for text PostgreSQL cannot store (config/src/text.ts): free text was cleaned by
  // the schema, so what is left is a code or an id, refused here rather than failing the batch.
  const unstorable = findUnstorableText(result.data);
  if (unstorable) {
    return { ok: false, reason: 'invalid_fields', detail: `${unstorable.join('.') || '(payload)'}: ${UNSTORABLE_TEXT_MESSAGE}` };
  }
  const value = result.data as { unitId?: unknown };
  if (value.unitId !== undefined && value.unitId !== topicUnitId) {
    return { ok: false, reason: 'unit_mismatch', detail: `unitId "${String(value.unitId)}" in the payload is not the topic's unit "${topicUnitId}"` };
  }
  return { ok: true, value: result.data };
}
