// One simulated JT/T 808 vehicle terminal: it drives a city loop and reports where it is every
// interval (0x0200), registers once and authenticates on every connection (its code kept by the
// fleet's state file, so a restart authenticates without registering), and when its link is cut
// it stores its positions and sends them as a blind-area batch (0x0704 type 1) once it is back,
// as a real terminal does out of coverage. The emergency button sets alarm bit 0 in its reports.
// Texts (0x8300) and position queries (0x8201) are answered by the terminal client itself.
import { GeneralResult, Jt808Terminal, RegistrationResult, StatusBit, type LocationReport, type TextMessage } from '@hub/jt808';
import type { Logger } from '../log';
import { RouteSource } from '../gps/route-source';
import type { Route } from '../gps/routes';

/** Where terminals keep their authentication codes (the simulator's state file). */
export interface AuthCodeStore {
  get(phone: string): string | undefined;
  set(phone: string, code: string): void;
  delete(phone: string): void;
}

export interface SimulatedTerminalOptions {
  unitId: string;
  /** the terminal's phone number (its unit's jt808.terminalId) */
  phone: string;
  host: string;
  port: number;
  route: Route;
  codes: AuthCodeStore;
  /** asks the hub to forget the unit's code (admin API) when the terminal lost it; without it such a terminal stays out */
  forgetCode?: (unitId: string) => Promise<void>;
  /** ms between reports; default 1000 (positions carry whole seconds: BCD time) */
  intervalMs?: number;
  /** ms before a connection is tried again; default 3000 */
  retryMs?: number;
  /** a text arrived (shown on the terminal's display) */
  onText?: (unitId: string, text: TextMessage) => void;
  /** keep the time of every report it made (`reportTimes`), for a test to count what the hub stored; default false */
  keepReportTimes?: boolean;
  log: Logger;
}

export interface SimulatedTerminalStats {
  connected: boolean;
  /** live reports sent */
  sent: number;
  /** reports the hub answered 0 (committed), live and blind-area */
  acked: number;
  /** positions held while the link was down, not yet sent */
  blind: number;
  /** blind-area positions sent in 0x0704 batches */
  blindSent: number;
  errors: number;
  /** the hub refused its registration or authentication */
  refused: boolean;
}

/** 0x0704 items per batch: each is ~30 bytes, a frame's body holds 1023 */
const BATCH_ITEMS = 30;
const KMH_PER_MS = 3.6;

export class SimulatedTerminal {
  readonly stats: SimulatedTerminalStats = { connected: false, sent: 0, acked: 0, blind: 0, blindSent: 0, errors: 0, refused: false };
  /** positions stored while out of coverage, oldest first */
  readonly #blind: LocationReport[] = [];
  readonly #source: RouteSource;
  /** m/s along the route */
  readonly #speed: number;
  readonly #startedAt = Date.now();
  #terminal: Jt808Terminal | undefined;
  #emergency = false;
  /** the link is cut (simulated dead zone) until this time */
  #cutUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  /** the last report's time (whole seconds): one report a second at most */
  #lastTime = 0;
  /** live reports waiting for their answer */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** with keepReportTimes: every report's time (ms), live or held */
  readonly reportTimes: number[] = [];
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly opts: SimulatedTerminalOptions) {
    this.#source = new RouteSource({ route: opts.route });
    this.#speed = opts.route.speed ?? 10;
  }

  get unitId(): string {
    return this.opts.unitId;
  }

  /** The texts its display shows (the last ones). */
  get texts(): readonly TextMessage[] {
    return this.#terminal?.texts ?? [];
  }

  start(): void {
    const interval = this.opts.intervalMs ?? 1000;
    this.#timer = setInterval(() => this.#tick(), interval);
    this.#ensureConnected();
  }

  /** The emergency button (alarm bit 0) pressed, or released after the platform confirmed it. */
  emergency(on: boolean): void {
    this.#emergency = on;
  }

  /** Drops the link for `ms` (a tunnel, a dead zone): positions go to the blind-area store meanwhile. */
  cutLink(ms: number): void {
    this.#cutUntil = Date.now() + ms;
    this.stats.connected = false;
    void this.#terminal?.close();
  }

  /** Where it is now, as its next report says. */
  report(now = Date.now()): LocationReport {
    const { at, heading } = this.#source.pointAt(((now - this.#startedAt) / 1000) * this.#speed);
    return {
      alarm: this.#emergency ? 1 : 0,
      status: StatusBit.fix | StatusBit.acc,
      latitude: Math.round(at.lat * 1e6) / 1e6,
      longitude: Math.round(at.lon * 1e6) / 1e6,
      altitude: 15,
      speedKmh: Math.round(this.#speed * KMH_PER_MS * 10) / 10,
      direction: Math.round(heading) % 360,
      time: new Date(Math.floor(now / 1000) * 1000),
      items: [],
    };
  }

  /** Stops reporting; the reports sent are answered (or time out) before the connection closes. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#connecting?.catch(() => undefined);
    await Promise.allSettled([...this.#inFlight]);
    await this.#terminal?.close();
  }

  #tick(): void {
    const report = this.report();
    const time = report.time!.getTime();
    if (time <= this.#lastTime) return; // a late timer: this second is reported already
    this.#lastTime = time;
    if (this.opts.keepReportTimes) this.reportTimes.push(time);
    const terminal = this.stats.connected ? this.#terminal : undefined;
    if (!terminal) {
      this.#hold(report);
      this.#ensureConnected();
      return;
    }
    this.stats.sent++;
    const answered = terminal.location(report).then(
      (answer) => this.#answered(answer.result, [report]),
      // no answer (the link went): it is kept and sent again as a blind-area position
      () => this.#hold(report),
    );
    this.#inFlight.add(answered);
    void answered.finally(() => this.#inFlight.delete(answered));
  }

  #hold(report: LocationReport): void {
    this.#blind.push(report);
    this.stats.blind = this.#blind.length;
  }

  #answered(result: number, reports: LocationReport[]): void {
    if (result === GeneralResult.ok) this.stats.acked += reports.length;
    else if (result === GeneralResult.failure)
      for (const r of reports) this.#hold(r); // the hub could not store it: again later
    else this.stats.errors++;
  }

  #ensureConnected(): void {
    if (this.#closed || this.#connecting || this.stats.connected || Date.now() < this.#cutUntil || this.stats.refused) return;
    this.#connecting = this.#connect()
      .catch((err: unknown) => {
        this.stats.errors++;
        this.opts.log.debug({ unitId: this.unitId, err: (err as Error).message }, 'terminal could not connect');
      })
      .finally(() => (this.#connecting = undefined));
  }

  async #connect(): Promise<void> {
    const { host, port, phone, codes } = this.opts;
    const terminal = await Jt808Terminal.connect({ host, port, phone, record: false, onText: (text) => this.opts.onText?.(this.unitId, text) });
    this.#terminal = terminal;
    terminal.closed.then(() => {
      if (this.#terminal === terminal) this.stats.connected = false;
    });
    const code = codes.get(phone) ?? (await this.#register(terminal));
    if (code === undefined) return void (await terminal.close());
    const auth = await terminal.authenticate(code);
    if (auth.result !== GeneralResult.ok) {
      // the hub forgot or rotated the code: register again on the next connection
      this.opts.log.warn({ unitId: this.unitId, result: auth.result }, 'authentication refused; the terminal registers again');
      codes.delete(phone);
      await terminal.close();
      return;
    }
    this.stats.connected = true;
    await this.#sendBlindArea(terminal);
  }

  async #register(terminal: Jt808Terminal): Promise<string | undefined> {
    let answer = await terminal.register();
    if (answer.result === RegistrationResult.vehicleAlreadyRegistered && this.opts.forgetCode) {
      // the state file lost its code: the admin API resets the registration, as an installer would ask
      await this.opts.forgetCode(this.unitId);
      answer = await terminal.register();
    }
    if (answer.result !== RegistrationResult.ok || !answer.authCode) {
      this.stats.refused = true;
      this.opts.log.warn({ unitId: this.unitId, result: answer.result }, 'registration refused');
      return undefined;
    }
    this.opts.codes.set(this.opts.phone, answer.authCode);
    return answer.authCode;
  }

  /** What was stored out of coverage, oldest first, in batches; a batch the hub did not answer stays for the next connection. */
  async #sendBlindArea(terminal: Jt808Terminal): Promise<void> {
    while (this.#blind.length > 0 && this.stats.connected) {
      const batch = this.#blind.slice(0, BATCH_ITEMS);
      const answer = await terminal.blindArea(batch);
      this.#blind.splice(0, batch.length);
      this.stats.blind = this.#blind.length;
      this.stats.blindSent += batch.length;
      this.#answered(answer.result, batch);
    }
  }
}
