// Verification (核查): an enforcement case closes only with a photo from the scene, sent by a unit
// that accepted its dispatch (the body cam's "Capture evidence"). Photos are kept under
// `dataDir/evidence/` by their SHA-256, as intake snapshots are, listed on the incident, and put
// into its evidence pack with their hashes.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DepartmentsConfig, EvidencePhoto } from '@hub/config';
import type { CloseCheck, EvidencePart } from '@hub/incidents';
import { appendEvent, withTransaction } from '@hub/incidents';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { CloseOverrideError, EvidenceNotDispatchedError, EvidencePhotoError, EvidenceRequiredError } from './errors';

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

interface EvidenceRow {
  id: number | string;
  incident_id: number | string;
  unit_id: string;
  sha256: string;
  path: string;
  bytes: number;
  received_at: Date | string;
}

const toPhoto = (r: EvidenceRow): EvidencePhoto => ({ id: Number(r.id), incidentId: Number(r.incident_id), unitId: r.unit_id, sha256: r.sha256, bytes: r.bytes, receivedAt: toIso(r.received_at) });

/** Takes a unit's photo of an incident it was sent to (accepted, en route or on scene; the incident open). */
export async function storeEvidence(db: Queryable, dataDir: string, maxBytes: number, incidentId: number, unitId: string, photo: Buffer): Promise<EvidencePhoto> {
  if (photo.length === 0) throw new EvidencePhotoError('is empty');
  if (photo.length > maxBytes) throw new EvidencePhotoError(`is ${photo.length} bytes; at most ${maxBytes} are accepted`);
  if (!photo.subarray(0, 3).equals(JPEG_MAGIC)) throw new EvidencePhotoError('must be a JPEG image (it does not start with FF D8 FF)');
  const { rows: sent } = await db.query(
    `SELECT 1 FROM incident_units iu JOIN incidents i ON i.id = iu.incident_id
      WHERE iu.incident_id = $1 AND iu.unit_id = $2 AND iu.state IN ('accepted', 'en_route', 'on_scene') AND i.state IN ('dispatched', 'en_route', 'on_scene')`,
    [incidentId, unitId],
  );
  if (sent.length === 0) throw new EvidenceNotDispatchedError(incidentId, unitId);
  const sha256 = createHash('sha256').update(photo).digest('hex');
  const dir = path.resolve(dataDir, 'evidence', sha256.slice(0, 2));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${sha256}.jpg`);
  await writeFile(file, photo);
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<EvidenceRow>(`INSERT INTO incident_evidence (incident_id, unit_id, sha256, path, bytes) VALUES ($1, $2, $3, $4, $5) RETURNING *`, [
      incidentId,
      unitId,
      sha256,
      file,
      photo.length,
    ]);
    await appendEvent(tx, { incidentId, actor: `unit:${unitId}`, kind: 'evidence_captured', detail: { unitId, sha256, bytes: photo.length } });
    return toPhoto(rows[0]!);
  });
}

export async function listEvidence(db: Queryable, incidentId: number): Promise<(EvidencePhoto & { path: string })[]> {
  const { rows } = await db.query<EvidenceRow>('SELECT * FROM incident_evidence WHERE incident_id = $1 ORDER BY id', [incidentId]);
  return rows.map((r) => ({ ...toPhoto(r), path: r.path }));
}

/** An admin's permission to close one case without its photo, held for the length of that transition. */
export interface CloseOverride {
  actor: string;
  reason: string;
}

/**
 * The overrides being applied, by incident: set around the transition, taken (once) by the close
 * check inside its transaction, so the trail entry commits with the close or not at all.
 */
export class CloseOverrides {
  private readonly pending = new Map<number, CloseOverride>();

  async apply<T>(incidentId: number, grant: CloseOverride, close: () => Promise<T>): Promise<T> {
    if (this.pending.has(incidentId)) throw new CloseOverrideError(incidentId, 'another override of it is being applied');
    this.pending.set(incidentId, grant);
    try {
      return await close();
    } finally {
      this.pending.delete(incidentId);
    }
  }

  take(incidentId: number): CloseOverride | undefined {
    const grant = this.pending.get(incidentId);
    this.pending.delete(incidentId);
    return grant;
  }
}

/**
 * The close check: a department's case of a type that needs verification has a photo, was
 * resolved by notice (nobody had to go), or an admin overrode it (now, with a reason written into
 * the trail in the close's transaction, or before). An incident no department holds is the
 * centre's own and closes as before.
 */
export function verificationCheck(settings: DepartmentsConfig, overrides: CloseOverrides): CloseCheck {
  const types = new Set(settings.verificationTypes);
  return async (tx, incident, to) => {
    const grant = overrides.take(incident.id);
    const needed =
      types.has(incident.type) &&
      (
        await tx.query<{ needed: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM department_cases WHERE incident_id = $1)
              AND NOT EXISTS (SELECT 1 FROM incident_evidence WHERE incident_id = $1)
              AND NOT EXISTS (SELECT 1 FROM incident_events WHERE incident_id = $1 AND kind IN ('resolved_by_notice', 'evidence_overridden')) AS needed`,
          [incident.id],
        )
      ).rows[0]!.needed;
    if (!needed) {
      if (grant) throw new CloseOverrideError(incident.id, 'it needs no override (it has its photo, was resolved by notice, or needs no verification): close it as usual');
      return;
    }
    if (!grant) throw new EvidenceRequiredError(incident.id, incident.type);
    await appendEvent(tx, { incidentId: incident.id, actor: grant.actor, kind: 'evidence_overridden', detail: { reason: grant.reason, to } });
  };
}

/**
 * The photos in the evidence pack: `evidence/<sha256>.jpg` and an index with who sent each and
 * when; an override (closed without a photo) goes into the pack's manifest with its reason.
 */
export function evidencePart(db: Queryable): EvidencePart {
  return async (incidentId) => {
    const photos = await listEvidence(db, incidentId);
    const unique = [...new Map(photos.map((p) => [p.sha256, p])).values()];
    const { rows: overrides } = await db.query<{ actor: string; ts: Date; detail: { reason: string; to: string } }>(
      `SELECT actor, ts, detail FROM incident_events WHERE incident_id = $1 AND kind = 'evidence_overridden' ORDER BY id`,
      [incidentId],
    );
    return {
      dir: 'evidence',
      index: photos.map(({ path: _p, ...p }) => ({ ...p, file: `evidence/${p.sha256}.jpg` })),
      files: unique.map((p) => ({ name: `${p.sha256}.jpg`, path: p.path })),
      ...(overrides.length
        ? { manifest: { verification: { photos: photos.length, closedByOverride: overrides.map((o) => ({ by: o.actor, at: toIso(o.ts), reason: o.detail.reason, to: o.detail.to })) } } }
        : {}),
    };
  };
}
