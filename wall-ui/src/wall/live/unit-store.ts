// The wall's one store of units, fed by one live-feed connection (traccar-web's pattern: one
// socket controller feeds the store; bursts are batched before anything renders). A batch is
// applied to the Map at once, and subscribers hear about all the changes of a frame once,
// at the next animation frame, so 20,000 units at 1 Hz never re-render React per position.
import type { Alarm, BBox, LiveBatch, PositionOut, Unit, UnitStatusOut } from '@hub/config';
import { latestOrderMs } from '@hub/config';
import { HubRest } from './rest';
import { LiveConnection } from './live-connection';
import type { ConnectionState, Forwarded, ForwardedEvent, ForwardedPayload, UnitView } from './types';

export interface ConnectOptions {
  /** operator session token (or the admin token) */
  token: string;
  /** the hub's origin; default the page's own */
  hubUrl?: string;
  /** where the live feed (socket.io) is, when not at hubUrl (a separate live node, or a benchmark's feed); default hubUrl */
  feedUrl?: string;
}

export interface UnitStoreOptions {
  /** a unit with no status message is taken as online while its latest position is younger than this; default 120 s (the hub's alarms.offlineAfterSeconds default) */
  onlineWindowSeconds?: number;
  /** trail points kept per watched unit; default 600 (10 minutes at 1 Hz) */
  trailMaxPoints?: number;
  /** trail points older than this are dropped; default 600 s */
  trailSeconds?: number;
  /** alarms kept in `alarms`; default 500 */
  alarmsKept?: number;
}

/** A trail point: [lon, lat, epoch ms]. */
export type TrailPoint = [number, number, number];

type Listener<T extends unknown[]> = (...args: T) => void;

const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function'
    ? (cb) => {
        // a hidden page gets no frames: fall back to a timer so the store never stalls
        let done = false;
        const run = () => {
          if (done) return;
          done = true;
          cb();
        };
        requestAnimationFrame(run);
        setTimeout(run, 250);
      }
    : (cb) => setTimeout(cb, 16);

function emptyView(unit: Unit): UnitView {
  return {
    ...unit,
    lat: null,
    lon: null,
    ts: null,
    speed: null,
    heading: null,
    accuracy: null,
    battery: null,
    vehicle: null,
    online: (unit as Unit & { online?: boolean }).online ?? false,
    statusReason: null,
    statusTs: null,
    alarming: false,
    assignedIncidentId: null,
    receivedAt: 0,
  };
}

export class UnitStore {
  private readonly _units = new Map<string, UnitView>();
  private readonly tsMs = new Map<string, number>();
  private readonly listeners = new Set<Listener<[string[]]>>();
  private readonly alarmListeners = new Set<Listener<[Alarm]>>();
  private readonly statusListeners = new Set<Listener<[UnitStatusOut]>>();
  private readonly connectionListeners = new Set<Listener<[ConnectionState]>>();
  private readonly eventListeners = new Map<ForwardedEvent, Set<Listener<[unknown]>>>();
  private readonly pending = new Set<string>();
  private frameScheduled = false;
  private readonly unackedAlarms = new Map<string, Set<number>>();
  private readonly trails = new Map<string, TrailPoint[]>();
  private readonly unknownIds = new Set<string>();
  private readonly opts: Required<UnitStoreOptions>;
  private connection: LiveConnection | undefined;
  private rest: HubRest | undefined;
  private _connectionState: ConnectionState = 'closed';
  private _alarms: Alarm[] = [];
  private _loaded = false;
  private bbox: BBox | null = null;
  /** batches that arrive while the REST snapshot loads are applied after it */
  private held: LiveBatch[] | null = null;
  /** applied positions, for the benchmark and tests */
  positionsApplied = 0;

  constructor(opts: UnitStoreOptions = {}) {
    this.opts = {
      onlineWindowSeconds: opts.onlineWindowSeconds ?? 120,
      trailMaxPoints: opts.trailMaxPoints ?? 600,
      trailSeconds: opts.trailSeconds ?? 600,
      alarmsKept: opts.alarmsKept ?? 500,
    };
  }

  /** Every known unit by id. Read it in a subscriber; do not keep the views (each change makes a new one). */
  get units(): ReadonlyMap<string, UnitView> {
    return this._units;
  }

  get connectionState(): ConnectionState {
    return this._connectionState;
  }

  /** true once the REST snapshot of units and latest positions is in */
  get loaded(): boolean {
    return this._loaded;
  }

  /** recent alarms, newest first (those received since connecting) */
  get alarms(): readonly Alarm[] {
    return this._alarms;
  }

  /** the REST client with this store's token (for the map's geofences, tracks, basemap) */
  get api(): HubRest {
    if (!this.rest) throw new Error('UnitStore: connect() first');
    return this.rest;
  }

  /** Opens the live feed and loads the snapshot; reconnects by itself. Calling it again replaces the connection. */
  connect(opts: ConnectOptions): void {
    this.connection?.close();
    this.rest = new HubRest(opts.token, opts.hubUrl);
    this.setConnectionState('connecting');
    this.connection = new LiveConnection({
      token: opts.token,
      hubUrl: opts.feedUrl ?? opts.hubUrl,
      onState: (state, firstOrRe) => {
        this.setConnectionState(state);
        // on every (re)connect: ask for the area again, and reload the snapshot (what was missed while away)
        if (state === 'live' && firstOrRe) {
          if (this.bbox) this.connection?.subscribe(this.bbox);
          void this.loadSnapshot();
        }
      },
      onBatch: (b) => this.onBatch(b),
      onEvent: (f) => this.onEvent(f),
    });
  }

  /** Limits the feed to an area (null = everything). Units outside it stop updating. */
  setBbox(bbox: BBox | null): void {
    this.bbox = bbox;
    this.connection?.subscribe(bbox);
  }

  /** Called with the ids that changed, at most once per animation frame. Returns the unsubscribe. */
  subscribe(fn: (changedIds: string[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Called for every new alarm, as it arrives. */
  onAlarm(fn: (alarm: Alarm) => void): () => void {
    this.alarmListeners.add(fn);
    return () => this.alarmListeners.delete(fn);
  }

  /** Called for every unit status change (online / offline, with its reason). */
  onStatus(fn: (status: UnitStatusOut) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  onConnectionState(fn: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(fn);
    return () => this.connectionListeners.delete(fn);
  }

  /** The incidents work's events, forwarded as they come: `incident`, `dispatch`, `linkage`. */
  on<E extends ForwardedEvent>(event: E, fn: (payload: ForwardedPayload<E>) => void): () => void {
    let set = this.eventListeners.get(event);
    if (!set) this.eventListeners.set(event, (set = new Set()));
    set.add(fn as Listener<[unknown]>);
    return () => set.delete(fn as Listener<[unknown]>);
  }

  /** Tells the store an alarm was acknowledged (the wall's alarm panel does), so its unit stops showing as alarming. */
  alarmAcknowledged(alarm: Pick<Alarm, 'id' | 'unitId'>): void {
    const set = this.unackedAlarms.get(alarm.unitId);
    if (!set?.delete(alarm.id)) return;
    if (set.size === 0) {
      this.unackedAlarms.delete(alarm.unitId);
      this.patch(alarm.unitId, { alarming: false });
    }
  }

  /** Keeps a trail for these units (others' trails are dropped). */
  watchTrails(unitIds: Iterable<string>): void {
    const keep = new Set(unitIds);
    for (const id of this.trails.keys()) if (!keep.has(id)) this.trails.delete(id);
    for (const id of keep) {
      if (this.trails.has(id)) continue;
      const u = this._units.get(id);
      this.trails.set(id, u && u.lon !== null && u.lat !== null && u.ts ? [[u.lon, u.lat, Date.parse(u.ts)]] : []);
    }
  }

  /** The watched unit's recent points, oldest first; empty when it is not watched. */
  trail(unitId: string): readonly TrailPoint[] {
    return this.trails.get(unitId) ?? [];
  }

  /** Seeds a watched unit's trail from the stored track of the last `seconds`. */
  async loadTrail(unitId: string, seconds = this.opts.trailSeconds): Promise<void> {
    if (!this.rest) return;
    const to = new Date();
    const from = new Date(to.getTime() - seconds * 1000);
    const track = await this.rest.track(unitId, from, to);
    const current = this.trails.get(unitId);
    if (!current) return;
    const seen = new Set(current.map((p) => p[2]));
    const merged = [...track.filter((p) => !seen.has(Date.parse(p.ts))).map((p): TrailPoint => [p.lon, p.lat, Date.parse(p.ts)]), ...current];
    merged.sort((a, b) => a[2] - b[2]);
    this.trails.set(unitId, merged.slice(-this.opts.trailMaxPoints));
    this.markChanged(unitId);
  }

  /** Closes the connection; listeners stay (connect() again reuses them). Safe twice. */
  close(): void {
    this.connection?.close();
    this.connection = undefined;
    this.setConnectionState('closed');
  }

  // ---- feeding ----

  private setConnectionState(state: ConnectionState): void {
    if (state === this._connectionState) return;
    this._connectionState = state;
    for (const fn of this.connectionListeners) fn(state);
  }

  private async loadSnapshot(): Promise<void> {
    const rest = this.rest;
    if (!rest) return;
    this.held ??= [];
    try {
      const [units, latest] = await Promise.all([rest.units(), rest.latestPositions()]);
      if (rest !== this.rest) return;
      const now = Date.now();
      for (const unit of units) {
        const old = this._units.get(unit.id);
        this._units.set(unit.id, old ? { ...old, ...unit, online: (unit as Unit & { online?: boolean }).online ?? old.online } : emptyView(unit));
        this.pending.add(unit.id);
      }
      // the hub's unit list may say who is connected; when it does not, recency decides
      const listSaysOnline = units.length > 0 && 'online' in units[0]!;
      for (const p of latest) {
        this.applyPosition(p, now);
        const u = this._units.get(p.unitId);
        // no status message yet: a unit that reported recently counts as online
        if (u && u.statusReason === null && !listSaysOnline) {
          const fresh = now - Date.parse(p.ts) < this.opts.onlineWindowSeconds * 1000;
          if (fresh !== u.online) this._units.set(p.unitId, { ...u, online: fresh });
        }
      }
      this._loaded = true;
    } catch (err) {
      console.warn('wall: the unit snapshot could not be loaded; live updates continue', err);
    } finally {
      const held = this.held ?? [];
      this.held = null;
      for (const b of held) this.applyBatch(b);
      this.schedule();
    }
  }

  private onBatch(batch: LiveBatch): void {
    if (this.held) this.held.push(batch);
    else this.applyBatch(batch);
  }

  private applyBatch(batch: LiveBatch): void {
    const now = Date.now();
    for (const p of batch.positions) this.applyPosition(p, now);
    for (const s of batch.statuses) this.applyStatus(s);
    for (const a of batch.alarms) this.applyAlarm(a);
    this.schedule();
  }

  private applyPosition(p: PositionOut, now: number): void {
    // never move a marker back: a late position is history, not the present; and a fix dated
    // ahead of this clock counts as of now, so it cannot hold the marker (config: latestOrderMs)
    const t = latestOrderMs(Date.parse(p.ts), now);
    if (t < (this.tsMs.get(p.unitId) ?? -Infinity)) return;
    this.tsMs.set(p.unitId, t);
    let u = this._units.get(p.unitId);
    if (!u) {
      u = this.placeholder(p.unitId);
    }
    this._units.set(p.unitId, {
      ...u,
      lat: p.lat,
      lon: p.lon,
      ts: p.ts,
      speed: p.speed,
      heading: p.heading,
      accuracy: p.accuracy,
      battery: p.battery,
      vehicle: p.vehicle ?? null,
      // a position is proof of life when no status said otherwise since
      online: u.statusReason === null || !u.statusTs || Date.parse(u.statusTs) <= t ? true : u.online,
      receivedAt: now,
    });
    this.positionsApplied++;
    const trail = this.trails.get(p.unitId);
    if (trail) {
      trail.push([p.lon, p.lat, t]);
      const cutoff = t - this.opts.trailSeconds * 1000;
      let drop = 0;
      while (drop < trail.length && (trail[drop]![2] < cutoff || trail.length - drop > this.opts.trailMaxPoints)) drop++;
      if (drop) trail.splice(0, drop);
    }
    this.pending.add(p.unitId);
  }

  private applyStatus(s: UnitStatusOut): void {
    const u = this._units.get(s.unitId) ?? this.placeholder(s.unitId);
    if (u.statusTs && Date.parse(u.statusTs) > Date.parse(s.ts)) return;
    this._units.set(s.unitId, { ...u, online: s.state === 'online', statusReason: s.reason, statusTs: s.ts });
    this.pending.add(s.unitId);
    for (const fn of this.statusListeners) fn(s);
  }

  private applyAlarm(a: Alarm): void {
    this._alarms = [a, ...this._alarms].slice(0, this.opts.alarmsKept);
    if (!a.acknowledgedAt) {
      let set = this.unackedAlarms.get(a.unitId);
      if (!set) this.unackedAlarms.set(a.unitId, (set = new Set()));
      set.add(a.id);
      this.patch(a.unitId, { alarming: true }, false);
    }
    for (const fn of this.alarmListeners) fn(a);
  }

  private onEvent(f: Forwarded): void {
    if (f.event === 'dispatch') {
      const { unitId, incidentId, state } = f.payload;
      const u = this._units.get(unitId);
      // a refusal frees the unit only from the incident it refused
      if (u && state !== 'refused') this.patch(unitId, { assignedIncidentId: incidentId });
      else if (u && u.assignedIncidentId === incidentId) this.patch(unitId, { assignedIncidentId: null });
    }
    if (f.event === 'incident' && (f.payload.state === 'resolved' || f.payload.state === 'closed')) {
      for (const u of this._units.values()) if (u.assignedIncidentId === f.payload.id) this.patch(u.id, { assignedIncidentId: null }, false);
      this.schedule();
    }
    for (const fn of this.eventListeners.get(f.event) ?? []) fn(f.payload);
  }

  private patch(unitId: string, change: Partial<UnitView>, schedule = true): void {
    const u = this._units.get(unitId);
    if (!u) return;
    this._units.set(unitId, { ...u, ...change });
    this.pending.add(unitId);
    if (schedule) this.schedule();
  }

  private markChanged(unitId: string): void {
    this.pending.add(unitId);
    this.schedule();
  }

  /** A unit the wall has not heard of (created after the snapshot): shown at once, its details fetched. */
  private placeholder(unitId: string): UnitView {
    const now = new Date().toISOString();
    const view = emptyView({ id: unitId, name: unitId, type: 'vehicle', team: null, district: null, disabled: false, hasCredential: true, createdAt: now, updatedAt: now });
    this._units.set(unitId, view);
    if (this._loaded && this.rest && !this.unknownIds.has(unitId)) {
      this.unknownIds.add(unitId);
      this.rest.unit(unitId).then(
        (unit) => unit && this.patch(unitId, unit),
        () => this.unknownIds.delete(unitId),
      );
    }
    return view;
  }

  private schedule(): void {
    if (this.frameScheduled || this.pending.size === 0 || this.held) return;
    this.frameScheduled = true;
    nextFrame(() => {
      this.frameScheduled = false;
      if (this.pending.size === 0) return;
      const changed = [...this.pending];
      this.pending.clear();
      for (const fn of this.listeners) {
        try {
          fn(changed);
        } catch (err) {
          console.error('wall: a unit store subscriber failed', err);
        }
      }
    });
  }
}
