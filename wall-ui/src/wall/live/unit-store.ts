// STAND-IN written by wall-a until wall-b's live store lands on main (CONTRACTS.md "Wall"):
// the contract's surface over the hub's socket.io feed, without wall-b's batching work.
// On merge, wall-b's live/** wins.
import { io, type Socket } from 'socket.io-client';
import type { Alarm, LiveBatch, PositionOut, Unit, UnitStatusOut } from '@hub/config/api';

export type UnitView = Unit & { position: PositionOut | null; online: boolean; status: UnitStatusOut | null };

type Listener<T> = (value: T) => void;

export class UnitStore {
  readonly units = new Map<string, UnitView>();
  #socket: Socket | undefined;
  #subscribers = new Set<(changedIds: string[]) => void>();
  #alarm = new Set<Listener<Alarm>>();
  #status = new Set<Listener<UnitStatusOut>>();
  #events = new Map<string, Set<Listener<unknown>>>();

  async connect(opts: { token: string; hubUrl?: string }): Promise<void> {
    const base = opts.hubUrl ?? '';
    const headers = { authorization: `Bearer ${opts.token}` };
    const [units, latest] = await Promise.all([
      fetch(`${base}/api/units`, { headers }).then((r) => (r.ok ? (r.json() as Promise<Unit[]>) : [])),
      fetch(`${base}/api/positions/latest`, { headers }).then((r) => (r.ok ? (r.json() as Promise<PositionOut[]>) : [])),
    ]);
    const pos = new Map(latest.map((p) => [p.unitId, p]));
    for (const u of units) {
      const p = pos.get(u.id) ?? null;
      this.units.set(u.id, { ...u, position: p, online: !!p && Date.now() - Date.parse(p.ts) < 120_000, status: null });
    }
    this.#notify([...this.units.keys()]);
    const socket = io(base || undefined, { auth: { token: opts.token }, transports: ['websocket'] });
    this.#socket = socket;
    socket.on('batch', (b: LiveBatch) => this.#apply(b));
    for (const name of this.#events.keys()) this.#bind(name);
  }

  #bind(name: string) {
    this.#socket?.on(name, (v: unknown) => this.#events.get(name)?.forEach((fn) => fn(v)));
  }

  #apply(b: LiveBatch) {
    const changed = new Set<string>();
    for (const p of b.positions) {
      const u = this.units.get(p.unitId);
      if (!u) continue;
      this.units.set(p.unitId, { ...u, position: p, online: true });
      changed.add(p.unitId);
    }
    for (const s of b.statuses) {
      const u = this.units.get(s.unitId);
      if (u) this.units.set(s.unitId, { ...u, status: s, online: s.state === 'online' });
      changed.add(s.unitId);
      this.#status.forEach((fn) => fn(s));
    }
    for (const a of b.alarms) this.#alarm.forEach((fn) => fn(a));
    if (changed.size) this.#notify([...changed]);
  }

  #notify(ids: string[]) {
    this.#subscribers.forEach((fn) => fn(ids));
  }

  subscribe(fn: (changedIds: string[]) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }
  onAlarm(fn: Listener<Alarm>): () => void {
    this.#alarm.add(fn);
    return () => this.#alarm.delete(fn);
  }
  onStatus(fn: Listener<UnitStatusOut>): () => void {
    this.#status.add(fn);
    return () => this.#status.delete(fn);
  }
  on(event: 'incident' | 'dispatch' | 'linkage', fn: Listener<never>): () => void {
    let set = this.#events.get(event);
    if (!set) {
      set = new Set();
      this.#events.set(event, set);
      this.#bind(event);
    }
    set.add(fn as Listener<unknown>);
    return () => set.delete(fn as Listener<unknown>);
  }
  close(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }
}
