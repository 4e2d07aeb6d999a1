// The incident service: creates incidents, moves them through their states (each move in the
// append-only trail with its time and actor), dispatches units over MQTT (QoS 1), and moves
// units on by themselves: the device's receipt → delivered, the person's answer → accepted and
// en route (or refused), no answer in time → timed out, GPS inside the radius → on scene. After a
// refusal or a time-out the next nearest unit is offered to the coordinator, who decides.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  CommandAckMessage,
  CommandMessage,
  DispatchAnswerMessage,
  DispatchEvent,
  DispatchOfferEvent,
  HubConfig,
  Incident,
  IncidentDetail,
  IncidentEvent,
  IncidentListQuery,
  IncidentState,
  NearestUnit,
  Position,
  UnitType,
} from '@hub/config';
import { distanceM } from '@hub/config';
import type { TelemetryBus } from '@hub/telemetry';
import type { DistrictMap } from '@hub/wall-server';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { IncidentBus } from './events';
import type { IntakeHook } from './intake';
import { AcceptDeadlines } from './accept-deadlines';
import { recordAnswer, recordDelivery, recordTimeout, type DispatchOutcome } from './dispatch-answers';
import { DispatchUnitsNotFoundError, IncidentClosedError, IncidentNotFoundError, ReasonRequiredError, TransitionError } from './errors';
import { nearestUnits } from './nearest';
import { UnitIndex } from './unit-index';
import {
  appendEvent,
  dispatchByCommand,
  dispatchesAwaitingAnswer,
  getIncident,
  insertIncident,
  insertIncidentUnit,
  listIncidents,
  lockIncident,
  OPEN_INCIDENT_STATE_SET,
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
    /** `path` when the segment's file is on this hub's disk; else `hubId`, the hub that recorded it (null: none known) */
    segments: { recordingId: string | number; unitId: string; seq: number; start: string; end: string; url: string; sha256: string | null; bytes?: number; path?: string; hubId?: string | null }[];
    playlists: { recordingId: string | number; unitId: string; url: string }[];
  }>;
  /** in a cluster, a segment's file from the hub whose disk holds it (the evidence pack fetches it) */
  fetchSegment?(recordingId: string, seq: number, hubId: string): Promise<AsyncIterable<Uint8Array>>;
}

export interface IncidentServiceOptions {
  db: Queryable;
  bus: TelemetryBus;
  /** publishes a command on units/{id}/cmd, QoS 1 */
  sendCommand: (unitId: string, command: CommandMessage) => Promise<void>;
  linkage: HubConfig['linkage'];
  /** dispatch answers: how long a person has to accept; default acceptTimeoutSeconds 60 */
  dispatch?: HubConfig['incidents']['dispatch'];
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

/**
 * Another package's say when an incident opens (routing it to a department), in the opening's
 * transaction; returns work to run after the commit, if any.
 */
export type OpenHook = (tx: Queryable, incident: Incident) => Promise<(() => void) | undefined>;

/** Another package's say before an incident is resolved or closed (verification): throws a HubError to refuse. */
export type CloseCheck = (tx: Queryable, incident: { id: number; type: string }, to: 'resolved' | 'closed') => Promise<void>;

/** Files another package adds to an incident's evidence pack (scene photos), under `dir/` with their SHA-256, and entries for its manifest.json. */
export type EvidencePart = (incidentId: number) => Promise<{ dir: string; index: unknown; files: { name: string; path: string }[]; manifest?: Record<string, unknown> }>;

interface OnTheWay {
  incidentId: number;
  commandId: string;
  lat: number;
  lon: number;
}

export class IncidentService {
  readonly events = new IncidentBus();
  /** other packages' say in external intake (the notice loop): add on start, delete on close */
  readonly intakeHooks = new Set<IntakeHook>();
  /** run in the transaction that opens an incident (here and by intake): department routing */
  readonly openHooks = new Set<OpenHook>();
  /** run before an incident is resolved or closed; one that throws refuses the move */
  readonly closeChecks = new Set<CloseCheck>();
  /** more parts of the evidence pack */
  readonly evidenceParts = new Set<EvidencePart>();
  readonly opts: IncidentServiceOptions;
  /** the recording port: injected at construction, the one place replay and evidence read from */
  readonly recordings: RecordingSource | undefined;
  /** dispatched units not yet on scene, by unit id → their incidents */
  private readonly onTheWay = new Map<string, OnTheWay[]>();
  private readonly unsubscribe: (() => void)[] = [];
  /** dispatches waiting for their person's answer */
  private readonly deadlines: AcceptDeadlines;
  /** automatic moves (acks, answers, time-outs, arrivals) run one at a time, in the order they came */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    opts: IncidentServiceOptions,
    /** every unit's latest position in memory, for the nearest-units ranking */
    readonly units: UnitIndex,
  ) {
    this.opts = opts;
    this.recordings = opts.recordings;
    this.deadlines = new AcceptDeadlines(this.acceptTimeoutSeconds, (commandId) => this.serial(() => this.onTimeout(commandId)));
  }

  /** How long a person has to answer a dispatch, seconds. */
  get acceptTimeoutSeconds(): number {
    return this.opts.dispatch?.acceptTimeoutSeconds ?? 60;
  }

  static async start(opts: IncidentServiceOptions): Promise<IncidentService> {
    const s = new IncidentService(opts, await UnitIndex.load(opts.db, opts.bus));
    for (const u of await unitsOnTheWay(opts.db)) s.watch(u.unitId, { incidentId: u.incidentId, commandId: u.commandId, lat: u.lat, lon: u.lon });
    for (const d of await dispatchesAwaitingAnswer(opts.db)) s.deadlines.set(d.commandId, Date.parse(d.sentAt));
    const onAck = (e: { unitId: string; ack: CommandAckMessage }) => s.serial(() => s.onCommandAck(e.unitId, e.ack));
    const onAnswer = (e: { unitId: string; answer: DispatchAnswerMessage }) => s.serial(() => s.onAnswer(e.unitId, e.answer));
    const onPositions = (positions: Position[]) => {
      if (s.onTheWay.size === 0) return;
      const arrived = s.arrivals(positions);
      if (arrived.length) s.serial(() => s.onArrivals(arrived));
    };
    opts.bus.on('commandAck', onAck);
    opts.bus.on('dispatchAnswer', onAnswer);
    opts.bus.on('positions', onPositions);
    s.unsubscribe.push(
      () => opts.bus.off('commandAck', onAck),
      () => opts.bus.off('dispatchAnswer', onAnswer),
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

  /** Another package changed what the incident shows (a case, a photo): its updatedAt moves and walls reload it. */
  async touch(id: number): Promise<Incident | undefined> {
    await this.opts.db.query('UPDATE incidents SET updated_at = clock_timestamp() WHERE id = $1', [id]);
    return this.announce(id);
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

  nearest(q: { lat: number; lon: number; limit: number; types?: UnitType[]; all?: boolean; exclude?: string[]; only?: string[] }): Promise<NearestUnit[]> {
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
    const { incident, after } = await withTransaction(db, async (tx) => {
      const opened = await insertIncident(tx, { ...n, district });
      return { incident: opened, after: await this.opened(tx, opened) };
    });
    after.forEach((fn) => fn());
    this.opts.log.info({ incidentId: incident.id, type: incident.type, source: incident.source }, 'incident reported');
    await this.audit({ actor: n.createdBy, action: 'incident_created', target: `incident:${incident.id}`, detail: { type: n.type, source: n.source, alarmId: n.alarmId ?? null } });
    this.events.emit('incident', incident);
    return incident;
  }

  /** The open hooks, in the opening's transaction; their after-commit work. */
  async opened(tx: Queryable, incident: Incident): Promise<(() => void)[]> {
    const after: (() => void)[] = [];
    for (const hook of this.openHooks) {
      const then = await hook(tx, incident);
      if (then) after.push(then);
    }
    return after;
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
      if (to === 'resolved' || to === 'closed') for (const check of this.closeChecks) await check(tx, { id, type: row.type }, to);
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
      return { out, ts, lat: row.lat, lon: row.lon, note: note ?? row.note ?? undefined };
    });

    // Committed first, then sent: an ack can only find a dispatch that exists.
    for (const d of sent.out) {
      this.watch(d.unitId, { incidentId: id, commandId: d.commandId, lat: sent.lat, lon: sent.lon });
      this.deadlines.set(d.commandId, Date.parse(sent.ts));
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

  /** The device's receipt: delivered; or it cannot take the order (unsupported): refused, next offered. */
  private async onCommandAck(unitId: string, ack: CommandAckMessage): Promise<void> {
    const out = await recordDelivery(this.opts.db, unitId, ack);
    if (!out) return; // not a dispatch, another unit's, or already past delivery
    await this.afterAnswer(out, ack.ok ? 'dispatch_delivered' : 'dispatch_undeliverable', `unit:${unitId}`);
  }

  /** The person's answer: accepted (en route) or refused (the next unit is offered). */
  private async onAnswer(unitId: string, answer: DispatchAnswerMessage): Promise<void> {
    const out = await recordAnswer(this.opts.db, unitId, answer);
    if (!out) return;
    await this.afterAnswer(out, answer.accepted ? 'dispatch_accepted' : 'dispatch_refused', `unit:${unitId}`);
  }

  private async onTimeout(commandId: string): Promise<void> {
    const out = await recordTimeout(this.opts.db, commandId, this.acceptTimeoutSeconds);
    if (!out) return;
    await this.afterAnswer(out, 'dispatch_timed_out', 'hub');
  }

  /** Live events, arrival watch, audit, and after a refusal or a time-out the next unit's offer. */
  private async afterAnswer(out: DispatchOutcome, action: string, actor: string): Promise<void> {
    const { incidentId, unitId, commandId } = out.dispatch;
    const last = out.steps[out.steps.length - 1]!;
    for (const step of out.steps) this.dispatchEvent({ incidentId, unitId, commandId, state: step.state, ts: step.ts, ...(step.reason ? { reason: step.reason } : {}) });
    if (last.state !== 'delivered') this.deadlines.clear(commandId);
    if (last.state === 'en_route') this.watch(unitId, { incidentId, commandId, lat: out.lat, lon: out.lon });
    if (last.state === 'refused' || last.state === 'timed_out') this.unwatch(unitId, incidentId);
    await this.audit({ actor, action, target: `incident:${incidentId}`, detail: { unitId, commandId, ...(last.reason ? { reason: last.reason } : {}) } });
    this.opts.log.info({ incidentId, unitId, state: last.state }, `dispatch ${last.state}`);
    await this.announce(incidentId);
    if (last.state === 'refused' || last.state === 'timed_out') await this.offerNext(incidentId, unitId, last.state);
  }

  /**
   * Offers the coordinator the next nearest available unit (by ETA) after `unitId` refused or did
   * not answer: a live `offer` event and a trail entry. Nobody is dispatched: the coordinator decides.
   */
  private async offerNext(incidentId: number, unitId: string, reason: DispatchOfferEvent['reason']): Promise<void> {
    const incident = await getIncident(this.opts.db, incidentId);
    if (!incident || !OPEN_INCIDENT_STATE_SET.has(incident.state)) return;
    const exclude = [...incident.units.map((u) => u.unitId), ...(incident.unitId ? [incident.unitId] : [])];
    const [next] = await this.nearest({ lat: incident.lat, lon: incident.lon, limit: 1, exclude });
    const event = await appendEvent(this.opts.db, {
      incidentId,
      actor: 'hub',
      kind: 'next_unit_offered',
      detail: { unitId, reason, next: next ? { unitId: next.unitId, name: next.name, etaSeconds: next.etaSeconds, distanceM: next.distanceM } : null },
    });
    this.events.emit('offer', { incidentId, unitId, reason, next: next ?? null, ts: event.ts });
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
      // a unit that refused or timed out and happens to pass by is not "on scene" for this incident
      if (!row || !d || !['sent', 'delivered', 'accepted', 'en_route'].includes(d.state)) return undefined;
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
    this.deadlines.close();
    this.units.close();
    await this.chain.catch(() => undefined);
  }
}
