// External intake: other systems (a citizen hotline, video analytics) post events with their
// own token. Repeats of the same thing (same external id, or same type within the merge
// radius and window of an open incident) join that incident instead of opening another.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HubConfig, Incident, IntakeClient, IntakeEvent, IntakeEventResult } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { IntakeAuthError, SnapshotError } from './errors';
import { distanceSql } from './geo';
import { appendEvent, getIncident, insertIncident, OPEN_STATES_SQL, withTransaction } from './store';
import type { IncidentService } from './service';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

interface ClientRow {
  id: number | string;
  name: string;
  disabled: boolean;
  created_at: Date | string;
}

const toClient = (r: ClientRow): IntakeClient => ({ id: Number(r.id), name: r.name, disabled: r.disabled, createdAt: toIso(r.created_at) });

/** A new client and its token (returned once; only its hash is kept). */
export async function createIntakeClient(db: Queryable, name: string, actor: string): Promise<IntakeClient & { token: string }> {
  const token = `itk_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<ClientRow>(`INSERT INTO intake_clients (name, token_hash, created_by) VALUES ($1, $2, $3) RETURNING id, name, disabled, created_at`, [name, sha256(token), actor]);
  return { ...toClient(rows[0]!), token };
}

export async function listIntakeClients(db: Queryable): Promise<IntakeClient[]> {
  const { rows } = await db.query<ClientRow>(`SELECT id, name, disabled, created_at FROM intake_clients ORDER BY id`);
  return rows.map(toClient);
}

/** The client presenting `token`, or IntakeAuthError. Hash lookup: the token itself is never stored. */
export async function authenticateIntake(db: Queryable, token: string | undefined): Promise<IntakeClient> {
  if (!token) throw new IntakeAuthError(false);
  const { rows } = await db.query<ClientRow>(`SELECT id, name, disabled, created_at FROM intake_clients WHERE token_hash = $1`, [sha256(token)]);
  const client = rows[0];
  if (!client || client.disabled) throw new IntakeAuthError(true);
  return toClient(client);
}

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

async function storeSnapshot(dataDir: string, base64: string, maxBytes: number): Promise<{ file: string; sha256: string }> {
  if (!/^[A-Za-z0-9+/=\r\n]+$/.test(base64)) throw new SnapshotError('must be base64 (RFC 4648 §4)');
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new SnapshotError('is empty');
  if (bytes.length > maxBytes) throw new SnapshotError(`is ${bytes.length} bytes; at most ${maxBytes} are accepted`);
  if (!bytes.subarray(0, 3).equals(JPEG_MAGIC)) throw new SnapshotError('must be a JPEG image (it does not start with FF D8 FF)');
  const hash = sha256(bytes);
  const dir = path.resolve(dataDir, 'intake', hash.slice(0, 2));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${hash}.jpg`);
  await writeFile(file, bytes, { flag: 'w' });
  return { file, sha256: hash };
}

/**
 * Another package's say in external intake (the notice loop, which knows subjects): where a
 * report belongs and what it writes with it, in the intake's transaction so both commit or neither.
 */
export interface IntakeHook {
  /** Before the usual de-duplication: the open incident the event repeats, 'new' to open one whatever those rules say, undefined to leave it to them. */
  match(tx: Queryable, e: IntakeEvent): Promise<number | 'new' | undefined>;
  /** Once the incident is opened or joined; returns work to run after the commit (sending a text), if any. */
  filed(tx: Queryable, r: FiledReport): Promise<(() => Promise<void>) | undefined>;
}

export interface FiledReport {
  incident: Incident;
  created: boolean;
  event: IntakeEvent;
  /** intake:<client name> */
  actor: string;
}

export interface IntakeSettings {
  intake: HubConfig['linkage']['intake'];
  dataDir: string;
}

/** Files one external event: a new incident, or one more report on the incident it repeats. */
export async function submitExternalEvent(
  service: IncidentService,
  db: Queryable,
  client: IntakeClient,
  e: IntakeEvent,
  s: IntakeSettings,
): Promise<{ result: IntakeEventResult; incident: Incident | undefined; created: boolean }> {
  const snapshot = e.snapshot ? await storeSnapshot(s.dataDir, e.snapshot, s.intake.snapshotMaxBytes) : undefined;
  const actor = `intake:${client.name}`;
  const out = await withTransaction(db, async (tx) => {
    // Two reports of the same thing at once must not open two incidents: one at a time per type.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`intake:${e.type}`]);
    let incidentId: number | undefined;
    let why: 'subject' | 'external_id' | 'nearby' | undefined;
    let hooked: number | 'new' | undefined;
    for (const hook of service.intakeHooks) {
      hooked = await hook.match(tx, e);
      if (hooked !== undefined) break;
    }
    if (typeof hooked === 'number') [incidentId, why] = [hooked, 'subject'];
    if (hooked === undefined && e.externalId) {
      const { rows } = await tx.query<{ incident_id: number | string }>(
        `SELECT k.incident_id FROM incident_external_keys k JOIN incidents i ON i.id = k.incident_id
          WHERE k.source = $1 AND k.external_id = $2 AND i.state IN ${OPEN_STATES_SQL}`,
        [e.source, e.externalId],
      );
      if (rows[0]) [incidentId, why] = [Number(rows[0].incident_id), 'external_id'];
    }
    if (hooked === undefined && incidentId === undefined) {
      const { rows } = await tx.query<{ id: number | string }>(
        `SELECT id FROM incidents
          WHERE source = 'external' AND type = $3 AND state IN ${OPEN_STATES_SQL}
            AND last_reported_at >= $4::timestamptz - make_interval(secs => $5)
            AND ${distanceSql('$1', '$2', 'lat', 'lon')} <= $6
          ORDER BY ${distanceSql('$1', '$2', 'lat', 'lon')} LIMIT 1`,
        [e.lat, e.lon, e.type, e.ts, s.intake.mergeWindowMinutes * 60, s.intake.mergeRadiusM],
      );
      if (rows[0]) [incidentId, why] = [Number(rows[0].id), 'nearby'];
    }
    // an absence report says something is gone: it never opens an incident
    if (incidentId === undefined && e.cleared) return undefined;
    let created = false;
    let opened: (() => void)[] = [];
    if (incidentId === undefined) {
      const incident = await insertIncident(tx, {
        type: e.type,
        source: 'external',
        lat: e.lat,
        lon: e.lon,
        note: e.description ?? null,
        district: service.districtAt(e.lat, e.lon),
        externalSource: e.source,
        externalId: e.externalId ?? null,
        createdBy: actor,
      });
      incidentId = incident.id;
      created = true;
      opened = await service.opened(tx, incident);
    } else if (e.cleared) {
      await tx.query(`UPDATE incidents SET updated_at = clock_timestamp() WHERE id = $1`, [incidentId]);
      await appendEvent(tx, { incidentId, actor, kind: 'subject_cleared', detail: { source: e.source, externalId: e.externalId ?? null, by: why, ts: e.ts } });
    } else {
      await tx.query(`UPDATE incidents SET report_count = report_count + 1, last_reported_at = greatest(last_reported_at, $2::timestamptz), updated_at = clock_timestamp() WHERE id = $1`, [
        incidentId,
        e.ts,
      ]);
      await appendEvent(tx, { incidentId, actor, kind: 'merged', detail: { source: e.source, externalId: e.externalId ?? null, by: why, ts: e.ts } });
    }
    if (e.externalId) {
      await tx.query(
        `INSERT INTO incident_external_keys (source, external_id, incident_id) VALUES ($1, $2, $3)
         ON CONFLICT (source, external_id) DO UPDATE SET incident_id = EXCLUDED.incident_id`,
        [e.source, e.externalId, incidentId],
      );
    }
    await tx.query(
      `INSERT INTO incident_reports (incident_id, client_id, source, type, external_id, ts, lat, lon, description, snapshot_path, snapshot_sha256, subject_kind, subject_id, camera_id, cleared)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        incidentId,
        client.id,
        e.source,
        e.type,
        e.externalId ?? null,
        e.ts,
        e.lat,
        e.lon,
        e.description ?? null,
        snapshot?.file ?? null,
        snapshot?.sha256 ?? null,
        e.subject?.kind ?? null,
        e.subject?.id ?? null,
        e.cameraId ?? null,
        e.cleared ?? false,
      ],
    );
    const incident = (await getIncident(tx, incidentId))!;
    const after: (() => Promise<void>)[] = [];
    for (const hook of service.intakeHooks) {
      const then = await hook.filed(tx, { incident, created, event: e, actor });
      if (then) after.push(then);
    }
    return { incidentId, created, after, opened };
  });
  if (!out) return { incident: undefined, created: false, result: { incidentId: null, merged: false, reportCount: 0, snapshotSha256: snapshot?.sha256 ?? null } };
  // committed first, then the hooks' work (a text to send): the report is kept whatever the gateway does
  out.opened.forEach((fn) => fn());
  for (const then of out.after) then().catch((err: unknown) => service.opts.log.error({ err, incidentId: out.incidentId }, 'intake hook failed after commit'));
  const incident = (await getIncident(db, out.incidentId))!;
  service.events.emit('incident', incident);
  return {
    incident,
    created: out.created,
    result: { incidentId: incident.id, merged: !out.created, reportCount: incident.reportCount, snapshotSha256: snapshot?.sha256 ?? null },
  };
}
