// A simulated unit driving a closed route at a steady speed. Time can run faster than the wall
// clock (tickMs < intervalMs) so that tests drive 60 s of route in well under a second.
import { bearingDeg, distanceM, lerpLatLon, type LatLon } from '@hub/config';
import { cityLoop, type Route } from './routes';
import { sleep } from './sleep';
import type { GpsFix, GpsSource, GpsSourceStats } from './source';

/** Shenzhen, Futian district: the default city centre. */
export const DEFAULT_CENTRE: LatLon = { lat: 22.54, lon: 114.05 };

export interface RouteSourceOptions {
  /** the loop to drive; default a city-block loop near Shenzhen Futian */
  route?: Route;
  /** m/s; default the route's speed, else 10 */
  speed?: number;
  /** simulated time between fixes, ms (the fix timestamps advance by it); default 1000 (1 Hz) */
  intervalMs?: number;
  /** wall-clock time between fixes, ms; default intervalMs. Smaller makes time run faster. */
  tickMs?: number;
  /** timestamp of the first fix, epoch ms; default now */
  startTs?: number;
  /** end after this many fixes; default never */
  maxFixes?: number;
  /** start this many metres along the loop; default 0 */
  startOffsetM?: number;
  /** horizontal accuracy reported, m; default 5 */
  accuracy?: number;
  /** battery percent at start and its drain per simulated hour; default none reported */
  battery?: { start: number; drainPerHour: number };
}

export class RouteSource implements GpsSource {
  readonly name = 'sim';
  readonly stats: GpsSourceStats = { fixes: 0, bad: 0, opens: 1 };
  readonly #abort = new AbortController();
  readonly #points: LatLon[];
  readonly #cumulative: number[];
  readonly #length: number;
  readonly #speed: number;
  readonly #opts: RouteSourceOptions;
  #iterated = false;

  constructor(opts: RouteSourceOptions = {}) {
    const route = opts.route ?? cityLoop(DEFAULT_CENTRE, 0);
    if (route.points.length < 2) throw new RangeError('a route needs at least two points');
    this.#opts = opts;
    this.#points = route.points;
    this.#speed = opts.speed ?? route.speed ?? 10;
    // cumulative distance at each corner, closing the loop back to the first
    this.#cumulative = [0];
    for (let i = 0; i < this.#points.length; i++) {
      const next = this.#points[(i + 1) % this.#points.length]!;
      this.#cumulative.push(this.#cumulative[i]! + distanceM(this.#points[i]!, next));
    }
    this.#length = this.#cumulative[this.#points.length]!;
    if (this.#length <= 0) throw new RangeError('a route needs two distinct points');
  }

  /** Where the unit is after `metres` of driving, and which way it faces. */
  pointAt(metres: number): { at: LatLon; heading: number } {
    const d = ((metres % this.#length) + this.#length) % this.#length;
    let i = 0;
    while (i < this.#points.length - 1 && this.#cumulative[i + 1]! <= d) i++;
    const a = this.#points[i]!;
    const b = this.#points[(i + 1) % this.#points.length]!;
    const seg = this.#cumulative[i + 1]! - this.#cumulative[i]!;
    return { at: lerpLatLon(a, b, seg > 0 ? (d - this.#cumulative[i]!) / seg : 0), heading: bearingDeg(a, b) };
  }

  [Symbol.asyncIterator](): AsyncIterator<GpsFix> {
    if (this.#iterated) throw new Error('a GPS source can be iterated only once');
    this.#iterated = true;
    return this.#drive();
  }

  async *#drive(): AsyncGenerator<GpsFix> {
    const { intervalMs = 1000, startOffsetM = 0, accuracy = 5, maxFixes = Infinity, battery } = this.#opts;
    const tickMs = this.#opts.tickMs ?? intervalMs;
    const startTs = this.#opts.startTs ?? Date.now();
    const signal = this.#abort.signal;
    for (let i = 0; i < maxFixes && !signal.aborted; i++) {
      if (i > 0 && !(await sleep(tickMs, signal))) return;
      const elapsedS = (i * intervalMs) / 1000;
      const { at, heading } = this.pointAt(startOffsetM + this.#speed * elapsedS);
      const fix: GpsFix = {
        ts: startTs + i * intervalMs,
        lat: Math.round(at.lat * 1e7) / 1e7,
        lon: Math.round(at.lon * 1e7) / 1e7,
        speed: this.#speed,
        heading: (Math.round(heading * 10) / 10) % 360,
        accuracy,
      };
      if (battery) fix.battery = Math.max(0, Math.round((battery.start - (battery.drainPerHour * elapsedS) / 3600) * 10) / 10);
      this.stats.fixes++;
      yield fix;
    }
  }

  async close(): Promise<void> {
    this.#abort.abort();
  }
}
