// Every unit's latest position, type and online state in memory, fed by the bus, so that
// ranking 10,000 units by distance is a scan of an array rather than a query: loaded from
// units + unit_latest at start, then kept by positionAccepted (newest only), status and
// unitChanged (and in a cluster, the other hubs' positions and statuses). Which units are busy still comes from the database (a handful of rows).
import { distanceM, latestOrderMs, type Position, type PositionOut, type UnitStatusOut, type UnitType } from '@hub/config';
import type { TelemetryBus } from '@hub/telemetry';
import type { Queryable } from '@hub/platform';

interface Entry {
  id: string;
  name: string;
  type: UnitType;
  disabled: boolean;
  online: boolean;
  lat: number | null;
  lon: number | null;
  /** the latest position's place in order (config's latestOrderMs: fix time, at most its arrival), epoch ms */
  ts: number;
}

/** A row of the query that loads the index: an entry with its time as the database gives it. */
type Row = Omit<Entry, 'ts'> & { ts: Date | string | null };

const SELECT = `SELECT u.id, u.name, u.type, u.disabled, u.online, l.lat, l.lon, least(l.ts, l.received_at) AS ts FROM units u LEFT JOIN unit_latest l ON l.unit_id = u.id`;

export interface Ranked {
  id: string;
  name: string;
  type: UnitType;
  online: boolean;
  lat: number;
  lon: number;
  distanceM: number;
}

export class UnitIndex {
  private readonly units = new Map<string, Entry>();
  private readonly unsubscribe: (() => void)[] = [];
  /** unit reloads in order, so an older read never overwrites a newer one */
  private reloads: Promise<unknown> = Promise.resolve();

  private constructor(private readonly db: Queryable) {}

  static async load(db: Queryable, bus: TelemetryBus): Promise<UnitIndex> {
    const index = new UnitIndex(db);
    // subscribe first: what arrives during the load is applied after it (newest wins)
    const held: (() => void)[] = [];
    let ready = false;
    const when = (fn: () => void) => (ready ? fn() : held.push(fn));
    const onPosition = (p: Position) => when(() => index.position(p.unitId, p.ts.getTime(), p.lat, p.lon));
    // units on the cluster's other hubs too: the nearest unit may be connected anywhere
    const onClusterPositions = (ps: PositionOut[]) => when(() => ps.forEach((p) => index.position(p.unitId, Date.parse(p.ts), p.lat, p.lon)));
    const onStatus = (s: UnitStatusOut) => when(() => index.status(s));
    const onUnit = (id: string) => when(() => index.reload(id));
    bus.on('positionAccepted', onPosition);
    bus.on('clusterPositions', onClusterPositions);
    bus.on('status', onStatus);
    bus.on('clusterStatus', onStatus);
    bus.on('unitChanged', onUnit);
    index.unsubscribe.push(
      () => bus.off('positionAccepted', onPosition),
      () => bus.off('clusterPositions', onClusterPositions),
      () => bus.off('status', onStatus),
      () => bus.off('clusterStatus', onStatus),
      () => bus.off('unitChanged', onUnit),
    );
    const { rows } = await db.query<Row>(SELECT);
    for (const r of rows) index.set(r);
    ready = true;
    for (const fn of held) fn();
    return index;
  }

  get size(): number {
    return this.units.size;
  }

  private set(r: Row): void {
    const before = this.units.get(r.id);
    const ts = r.ts === null ? -Infinity : new Date(r.ts).getTime();
    const newer = before && before.ts > ts;
    this.units.set(r.id, {
      id: r.id,
      name: r.name,
      type: r.type,
      disabled: r.disabled,
      online: r.online,
      lat: newer ? before.lat : r.lat,
      lon: newer ? before.lon : r.lon,
      ts: newer ? before.ts : ts,
    });
  }

  /** A unit's position as it was received (`fixMs`: its fix time, epoch ms). */
  private position(unitId: string, fixMs: number, lat: number, lon: number): void {
    const e = this.units.get(unitId);
    // positions come here as they are received: now is their arrival
    const t = latestOrderMs(fixMs, Date.now());
    if (!e) {
      // a unit this index has not read yet (just created): keep the position, read the unit,
      // and propose it only once read (disabled until then)
      this.units.set(unitId, { id: unitId, name: unitId, type: 'vehicle', disabled: true, online: true, lat, lon, ts: t });
      this.reload(unitId);
      return;
    }
    if (t <= e.ts) return; // late or repeated: the latest stays
    e.lat = lat;
    e.lon = lon;
    e.ts = t;
  }

  private status(s: UnitStatusOut): void {
    const e = this.units.get(s.unitId);
    if (e) e.online = s.state === 'online';
  }

  private reload(id: string): void {
    this.reloads = this.reloads
      .then(async () => {
        const { rows } = await this.db.query<Row>(`${SELECT} WHERE u.id = $1`, [id]);
        if (rows[0]) this.set(rows[0]);
        else this.units.delete(id);
      })
      .catch(() => undefined);
  }

  /** Resolves once unit reloads asked for so far are applied. */
  settled(): Promise<void> {
    return this.reloads.then(() => undefined);
  }

  /**
   * The `limit` nearest units with a position, by distance (then id), that pass `accept`.
   * A bounded insertion keeps the best `limit`: one pass, no sort of the whole fleet.
   */
  nearest(lat: number, lon: number, limit: number, accept: (u: { id: string; type: UnitType; online: boolean; disabled: boolean }) => boolean): Ranked[] {
    const best: Ranked[] = [];
    // a cheap bound first: skip the trigonometry for units clearly farther than the current worst
    const cosLat = Math.cos((lat * Math.PI) / 180);
    const M_PER_DEG = 111_195;
    for (const e of this.units.values()) {
      if (e.lat === null || e.lon === null || !accept(e)) continue;
      if (best.length === limit) {
        const worst = best[best.length - 1]!.distanceM;
        const dLat = Math.abs(e.lat - lat) * M_PER_DEG;
        if (dLat > worst * 1.01) continue;
        const dLon = Math.abs(e.lon - lon) * M_PER_DEG * Math.min(cosLat, Math.cos((e.lat * Math.PI) / 180));
        if (dLon > worst * 1.01) continue;
      }
      const d = distanceM({ lat, lon }, { lat: e.lat, lon: e.lon });
      if (best.length === limit) {
        const worst = best[best.length - 1]!;
        if (d > worst.distanceM || (d === worst.distanceM && e.id > worst.id)) continue;
        best.pop();
      }
      let i = best.length;
      while (i > 0 && (best[i - 1]!.distanceM > d || (best[i - 1]!.distanceM === d && best[i - 1]!.id > e.id))) i--;
      best.splice(i, 0, { id: e.id, name: e.name, type: e.type, online: e.online, lat: e.lat, lon: e.lon, distanceM: d });
    }
    return best;
  }

  close(): void {
    this.unsubscribe.splice(0).forEach((u) => u());
  }
}
