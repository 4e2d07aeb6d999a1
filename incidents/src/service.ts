// The incident service: creates incidents, moves them through their states (each move in the
// append-only trail with its time and actor), dispatches units over MQTT (QoS 1), and moves
// units on by themselves: a dispatch's acknowledgement → en route, GPS inside the radius → on scene.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommandMessage, DispatchEvent, DispatchState, HubConfig, Incident, IncidentDetail, IncidentEvent, IncidentListQuery, IncidentState, NearestUnit, Position, UnitType } from '@hub/config';
import { distanceM } from '@hub/config';
import type { TelemetryBus } from '@hub/telemetry';
import type { DistrictMap } from '@hub/wall-server';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { IncidentBus } from './events';
import { DispatchUnitsNotFoundError, IncidentClosedError, IncidentNotFoundError, ReasonRequiredError, TransitionError } from './errors';
import { nearestUnits } from './nearest';
import { UnitIndex } from './unit-index';
import {
  appendEvent,
  dispatchByCommand,
  getIncident,
  insertIncident,
  insertIncidentUnit,
  listIncidents,
  lockIncident,
  setDispatchState,
  setIncidentState,
  timeline,
  unitsOnTheWay,
  withTransaction,
  type NewIncident,
} from './store';
import { ALLOWED, ORDER, canMove, isReopen } from './transitions';

/** One line of the hub's audit log (recordAudit's shape). */
export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** Where recorded video of an incident comes from (the recorder, once it runs in this hub). */
export interface RecordingSource {
  forIncident(incidentId: number): Promise<{
    segments: { recordingId: string | number; unitId: string; seq: number; start: string; end: string; url: string; sha256: string | null; path?: string }[];
    playlists: { recordingId: string | number; unitId: string; url: string }[];
  }>;
}

export interface IncidentServiceOptions {
  db: Queryable;
  bus: TelemetryBus;
  /** publishes a command on units/{id}/cmd, QoS 1 */
  sendCommand: (unitId: string, command: CommandMessage) => Promise<void>;
  linkage: HubConfig['linkage'];
  /** where the hub keeps files (intake snapshots) */
  dataDir: string;
  log: Logger;
  /** the hub's audit log; default none */
  audit?: (entry: AuditEntry) => Promise<void>;
  /** the basemap's districts: an incident takes the one it happened in; default none */
  districts?: DistrictMap;
  /** the recorded segments of an incident, for its replay and evidence pack (the hub's recorder); default none */
  recordings?: RecordingSource;
}

interface OnTheWay {
  incidentId: number;
  commandId: string;
  lat: number;
  lon: number;
}

export class IncidentService {
  readonly events = new IncidentBus();
  readonly opts: IncidentServiceOptions;
  /** the recording port: injected at construction, the one place replay and evidence read from */
  readonly recordings: RecordingSource | undefined;
  /** dispatched units not yet on scene, by unit id → their incidents */
  private readonly onTheWay = new Map<string, OnTheWay[]>();
  private readonly unsubscribe: (() => void)[] = [];
  /** automatic moves (acks, arrivals) run one at a time, in the order they came */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    opts: IncidentServiceOptions,
    /** every unit's latest position in memory, for the nearest-units ranking */
    readonly units: UnitIndex,
  ) {
    this.opts = opts;
    this.recordings = opts.recordings;
  }

  static async start(opts: IncidentServiceOptions): Promise<IncidentService> {
    const s = new IncidentService(opts, await UnitIndex.load(opts.db, opts.bus));
    for (const u of await unitsOnTheWay(opts.db)) s.watch(u.unitId, { incidentId: u.incidentId, commandId: u.commandId, lat: u.lat, lon: u.lon });
    const onAck = (e: { unitId: string; ack: { id: string; ok: boolean; message?: string } }) => s.serial(() => s.onCommandAck(e.unitId, e.ack));
    const onPositions = (positions: Position[]) => {
      if (s.onTheWay.size === 0) return;
      const arrived = s.arrivals(positions);
      if (arrived.length) s.serial(() => s.onArrivals(arrived));
    };
    opts.bus.on('commandAck', onAck);
    opts.bus.on('positions', onPositions);
    s.unsubscribe.push(
      () => opts.bus.off('commandAck', onAck),
      () => opts.bus.off('positions', onPositions),
    );
    return s;
  }

  private serial(fn: () => Promise<unknown>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => this.opts.log.error({ err }, 'incident update failed'));
  }

  /** Resolves once the automatic moves queued so far are done. */
  settled(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private async audit(entry: AuditEntry): Promise<void> {
    if (!this.opts.audit) return;
    await this.opts.audit(entry).catch((err: unknown) => this.opts.log.error({ err, action: entry.action }, 'audit entry not written'));
  }

  private async announce(id: number): Promise<Incident | undefined> {
    const incident = await getIncident(this.opts.db, id);
    if (incident) this.events.emit('incident', incident);
    return incident;
  }

  private dispatchEvent(e: Omit<DispatchEvent, 'ts'> & { ts?: string }): void {
    this.events.emit('dispatch', { ...e, ts: e.ts ?? new Date().toISOString() });
  }

  // ---- reading ----

  async get(id: number): Promise<IncidentDetail> {
    const incident = await getIncident(this.opts.db, id);
    if (!incident) throw new IncidentNotFoundError(id);
    return { ...incident, timeline: await timeline(this.opts.db, id) };
  }

  list(q: Partial<IncidentListQuery>): Promise<Incident[]> {
    return listIncidents(this.opts.db, q);
  }

  nearest(q: { lat: number; lon: number; limit: number; types?: UnitType[]; all?: boolean; exclude?: string[] }): Promise<NearestUnit[]> {
    return nearestUnits(this.units, this.opts.db, q, this.opts.linkage);
  }

  // ---- changes ----

  /** The district of the basemap that contains the point, if the basemap has districts there. */
  districtAt(lat: number, lon: number): string | null {
    return this.opts.districts?.at(lat, lon) ?? null;
  }

  /** Opens an incident (state reported). District: as given, else the basemap's at its place, else the unit's. */
  async create(n: NewIncident): Promise<Incident> {
    const { db } = this.opts;
    let district = n.district ?? this.districtAt(n.lat, n.lon);
    if (!district && n.unitId) {
      const { rows } = await db.query<{ district: string | null }>('SELECT district FROM units WHERE id = $1', [n.unitId]);
      district = rows[0]?.district ?? null;
    }
    const incident = await withTransaction(db, (tx) => insertIncident(tx, { ...n, district }));
    this.opts.log.info({ incidentId: incident.id, type: incident.type, source: incident.source }, 'incident reported');
    await this.audit({ actor: n.createdBy, action: 'incident_created', target: `incident:${incident.id}`, detail: { type: n.type, source: n.source, alarmId: n.alarmId ?? null } });
    this.events.emit('incident', incident);
    return incident;
  }

  /** One more report of the same thing (a repeated alarm): counted on the incident, in its trail. */
  async mergeReport(id: number, actor: string, detail: Record<string, unknown>): Promise<Incident | undefined> {
    await withTransaction(this.opts.db, async (tx) => {
      if (!(await lockIncident(tx, id))) throw new IncidentNotFoundError(id);
      await tx.query('UPDATE incidents SET report_count = report_count + 1, last_reported_at = clock_timestamp(), updated_at = clock_timestamp() WHERE id = $1', [id]);
      await appendEvent(tx, { incidentId: id, actor, kind: 'merged', detail });
    });
    return this.announce(id);
  }

  /** A coordinator's note on the trail; the incident is announced again (its updatedAt moves) so walls reload its timeline. */
  async addNote(id: number, actor: string, text: string): Promise<IncidentEvent> {
    const event = await withTransaction(this.opts.db, async (tx) => {
      if (!(await lockIncident(tx, id))) throw new IncidentNotFoundError(id);
      await tx.query('UPDATE incidents SET updated_at = clock_timestamp() WHERE id = $1', [id]);
      return appendEvent(tx, { incidentId: id, actor, kind: 'note', detail: { text } });
    });
    await this.audit({ actor, action: 'incident_note', target: `incident:${id}`, detail: {} });
    await this.announce(id);
    return event;
  }

  /** Moves an incident by an operator's decision. Reopening needs a reason. */
  async transition(id: number, to: IncidentState, actor: string, reason?: string): Promise<Incident> {
    const moved = await withTransaction(this.opts.db, async (tx) => {
      const row = await lockIncident(tx, id);
      if (!row) throw new IncidentNotFoundError(id);
      const from = row.state;
      if (!canMove(from, to)) throw new TransitionError(id, from, to, ALLOWED[from]);
      const reopen = isReopen(from, to);
      if (reopen && !reason) throw new ReasonRequiredError(id);
      await setIncidentState(tx, id, to);
      await appendEvent(tx, { incidentId: id, actor, kind: reopen ? 'reopened' : 'transition', fromState: from, toState: to, detail: reason ? { reason } : {} });
      return { from, reopen };
    });
    if (to === 'resolved' || to === 'closed') this.unwatchIncident(id);
    if (moved.reopen) {
      // units still on their way are watched for arrival again
      for (const u of await unitsOnTheWay(this.opts.db)) if (u.incidentId === id) this.watch(u.unitId, { incidentId: id, commandId: u.commandId, lat: u.lat, lon: u.lon });
    }
    await this.audit({ actor, action: moved.reopen ? 'incident_reopened' : 'incident_transition', target: `incident:${id}`, detail: { from: moved.from, to, ...(reason ? { reason } : {}) } });
    this.opts.log.info({ incidentId: id, from: moved.from, to, actor }, moved.reopen ? 'incident reopened' : 'incident moved');
    return (await this.announce(id))!;
  }

  /** Sends a dispatch command (QoS 1) to each unit; the incident becomes dispatched. */
  async dispatch(id: number, unitIds: string[], actor: string, note?: string): Promise<{ unitId: string; commandId: string; state: 'sent' }[]> {
    const { db } = this.opts;
    const unique = [...new Set(unitIds)];
    const { rows: known } = await db.query<{ id: string }>('SELECT id FROM units WHERE id = ANY($1::text[])', [unique]);
    const missing = unique.filter((u) => !known.some((k) => k.id === u));
    if (missing.length) throw new DispatchUnitsNotFoundError(missing);

    const sent = await withTransaction(db, async (tx) => {
      const row = await lockIncident(tx, id);
      if (!row) throw new IncidentNotFoundError(id);
      if (row.state === 'resolved' || row.state === 'closed') throw new IncidentClosedError(id, row.state);
      const out: { unitId: string; commandId: string; state: 'sent' }[] = [];
      const { rows: now } = await tx.query<{ ts: Date }>('SELECT clock_timestamp() AS ts');
      const ts = toIso(now[0]!.ts);
      for (const unitId of unique) {
        const commandId = randomUUID();
        await insertIncidentUnit(tx, id, unitId, commandId, ts);
        await appendEvent(tx, { incidentId: id, actor, kind: 'dispatch_sent', ts, detail: { unitId, commandId, ...(note ? { note } : {}) } });
        out.push({ unitId, commandId, state: 'sent' });
      }
      if (row.state === 'reported') {
        await setIncidentState(tx, id, 'dispatched');
        await appendEvent(tx, { incidentId: id, actor, kind: 'transition', fromState: 'reported', toState: 'dispatched', ts, detail: { unitIds: unique } });
      }
      return { out, lat: row.lat, lon: row.lon, note: note ?? row.note ?? undefined };
    });

    // Committed first, then sent: an ack can only find a dispatch that exists.
    for (const d of sent.out) {
      this.watch(d.unitId, { incidentId: id, commandId: d.commandId, lat: sent.lat, lon: sent.lon });
      const cmd: CommandMessage = { id: d.commandId, ts: Date.now(), type: 'dispatch', incidentId: String(id), lat: sent.lat, lon: sent.lon };
      if (sent.note) cmd.note = sent.note.slice(0, 1000);
      try {
        await this.opts.sendCommand(d.unitId, cmd);
      } catch (err) {
        this.opts.log.warn({ err, unitId: d.unitId, incidentId: id }, 'dispatch command not published');
      }
      this.dispatchEvent({ incidentId: id, unitId: d.unitId, commandId: d.commandId, state: 'sent' });
      await this.audit({ actor, action: 'dispatch', target: `unit:${d.unitId}`, detail: { incidentId: id, commandId: d.commandId } });
    }
    this.opts.log.info({ incidentId: id, unitIds: unique, actor }, 'units dispatched');
    await this.announce(id);
    return sent.out;
  }

  // ---- automatic moves ----

  private async onCommandAck(unitId: string, ack: { id: string; ok: boolean; message?: string }): Promise<void> {
    const { db } = this.opts;
    const d = await dispatchByCommand(db, ack.id);
    if (!d || d.unitId !== unitId || d.state !== 'sent') return; // not a dispatch, or already answered
    const actor = `unit:${unitId}`;
    const result = await withTransaction(db, async (tx) => {
      const row = await lockIncident(tx, d.incidentId);
      if (!row) return undefined;
      if (!ack.ok) {
        const ts = await setDispatchState(tx, ack.id, 'refused', ack.message ?? null);
        await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'unit_refused', ts, detail: { unitId, commandId: ack.id, message: ack.message ?? null } });
        return { states: [['refused', ts]] as [DispatchState, string][], incidentMoved: false };
      }
      const ackTs = await setDispatchState(tx, ack.id, 'acknowledged', ack.message ?? null);
      await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'unit_acknowledged', ts: ackTs, detail: { unitId, commandId: ack.id, message: ack.message ?? null } });
      // the acknowledgement is the moment the unit sets off: one time for all three
      const enRouteTs = await setDispatchState(tx, ack.id, 'en_route', null, ackTs);
      await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'unit_en_route', ts: ackTs, detail: { unitId, commandId: ack.id } });
      let incidentMoved = false;
      if (row.state === 'dispatched') {
        await setIncidentState(tx, d.incidentId, 'en_route');
        await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'transition', fromState: 'dispatched', toState: 'en_route', ts: ackTs, detail: { unitId } });
        incidentMoved = true;
      }
      return {
        states: [
          ['acknowledged', ackTs],
          ['en_route', enRouteTs],
        ] as [DispatchState, string][],
        incidentMoved,
      };
    });
    if (!result) return;
    if (!ack.ok) this.unwatch(unitId, d.incidentId);
    for (const [state, ts] of result.states) this.dispatchEvent({ incidentId: d.incidentId, unitId, commandId: ack.id, state, ts });
    await this.audit({ actor, action: ack.ok ? 'dispatch_acknowledged' : 'dispatch_refused', target: `incident:${d.incidentId}`, detail: { unitId, commandId: ack.id } });
    this.opts.log.info({ incidentId: d.incidentId, unitId, ok: ack.ok }, ack.ok ? 'dispatch acknowledged: unit en route' : 'dispatch refused by the unit');
    await this.announce(d.incidentId);
  }

  private arrivals(positions: Position[]): { unitId: string; at: OnTheWay; position: Position }[] {
    const out: { unitId: string; at: OnTheWay; position: Position }[] = [];
    const radius = this.opts.linkage.onSceneRadiusM;
    for (const p of positions) {
      const list = this.onTheWay.get(p.unitId);
      if (!list) continue;
      for (const w of list) {
        if (distanceM(p, w) <= radius) out.push({ unitId: p.unitId, at: w, position: p });
      }
    }
    return out;
  }

  private async onArrivals(arrived: { unitId: string; at: OnTheWay; position: Position }[]): Promise<void> {
    const done = new Set<string>();
    for (const { unitId, at, position } of arrived) {
      const key = `${unitId}@${at.incidentId}`;
      if (done.has(key)) continue;
      done.add(key);
      await this.arrive(unitId, at, position);
    }
  }

  private async arrive(unitId: string, at: OnTheWay, position: Position): Promise<void> {
    const actor = `unit:${unitId}`;
    const result = await withTransaction(this.opts.db, async (tx) => {
      const row = await lockIncident(tx, at.incidentId);
      const d = await dispatchByCommand(tx, at.commandId);
      if (!row || !d || d.state === 'on_scene' || d.state === 'refused') return undefined;
      const ts = await setDispatchState(tx, at.commandId, 'on_scene');
      const distance = Math.round(distanceM(position, row));
      await appendEvent(tx, {
        incidentId: at.incidentId,
        actor,
        ts,
        kind: 'unit_on_scene',
        detail: { unitId, commandId: at.commandId, distanceM: distance, positionTs: position.ts.toISOString(), lat: position.lat, lon: position.lon },
      });
      let incidentMoved = false;
      if (ORDER[row.state] >= ORDER.dispatched && ORDER[row.state] < ORDER.on_scene) {
        await setIncidentState(tx, at.incidentId, 'on_scene');
        await appendEvent(tx, { incidentId: at.incidentId, actor, kind: 'transition', fromState: row.state, toState: 'on_scene', ts, detail: { unitId } });
        incidentMoved = true;
      }
      return { ts, incidentMoved };
    });
    this.unwatch(unitId, at.incidentId);
    if (!result) return;
    this.dispatchEvent({ incidentId: at.incidentId, unitId, commandId: at.commandId, state: 'on_scene', ts: result.ts });
    await this.audit({ actor, action: 'unit_on_scene', target: `incident:${at.incidentId}`, detail: { unitId } });
    this.opts.log.info({ incidentId: at.incidentId, unitId }, 'unit on scene');
    await this.announce(at.incidentId);
  }

  private watch(unitId: string, w: OnTheWay): void {
    const list = (this.onTheWay.get(unitId) ?? []).filter((x) => x.incidentId !== w.incidentId);
    list.push(w);
    this.onTheWay.set(unitId, list);
  }

  private unwatch(unitId: string, incidentId: number): void {
    const list = (this.onTheWay.get(unitId) ?? []).filter((x) => x.incidentId !== incidentId);
    if (list.length) this.onTheWay.set(unitId, list);
    else this.onTheWay.delete(unitId);
  }

  private unwatchIncident(incidentId: number): void {
    for (const unitId of [...this.onTheWay.keys()]) this.unwatch(unitId, incidentId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe.splice(0).forEach((u) => u());
    this.units.close();
    await this.chain.catch(() => undefined);
  }
}
