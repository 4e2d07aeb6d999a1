// Failed device logins per source address (an MQTT CONNECT's secret, a JT/T 808 terminal's
// authentication code), so that credentials cannot be guessed at wire speed.
//
// Two sliding windows: failures for one unit id from one address (`perUnit`), and for all
// unit ids from that address (`perAddress`). Only failures count, so a fleet of gateways
// behind one NAT address that log in correctly is never held up; a single misconfigured
// device behind it locks out only its own unit id, and the whole address only when
// failures across many ids pass `perAddress` (someone trying ids). While locked out,
// CONNECTs are refused without checking the secret, and those refusals do not extend the
// lock: it lifts once the oldest failures leave the window.

export interface LoginThrottleOptions {
  perUnit: number;
  perAddress: number;
  windowMs: number;
  /** clock, epoch ms; default Date.now */
  now?: () => number;
}

/** Most addresses remembered at once: a spray from many addresses cannot grow this without bound. */
const MAX_ADDRESSES = 100_000;

interface AddressFailures {
  /** times of failures from this address, oldest first */
  all: number[];
  /** the same, by unit id */
  byUnit: Map<string, number[]>;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; scope: 'unit' | 'address'; retryAfterMs: number };

export class LoginThrottle {
  private readonly addresses = new Map<string, AddressFailures>();
  private readonly now: () => number;

  constructor(private readonly opts: LoginThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Whether a CONNECT for `unitId` from `address` may have its secret checked. */
  check(address: string, unitId: string): ThrottleVerdict {
    const entry = this.addresses.get(address);
    if (!entry) return { allowed: true };
    const now = this.now();
    this.expire(entry, now);
    if (entry.all.length >= this.opts.perAddress) {
      return { allowed: false, scope: 'address', retryAfterMs: entry.all[entry.all.length - this.opts.perAddress]! + this.opts.windowMs - now };
    }
    const unit = entry.byUnit.get(unitId);
    if (unit && unit.length >= this.opts.perUnit) {
      return { allowed: false, scope: 'unit', retryAfterMs: unit[unit.length - this.opts.perUnit]! + this.opts.windowMs - now };
    }
    if (entry.all.length === 0) this.addresses.delete(address);
    return { allowed: true };
  }

  /** A login from `address` for `unitId` failed. */
  failed(address: string, unitId: string): void {
    const now = this.now();
    let entry = this.addresses.get(address);
    if (!entry) {
      if (this.addresses.size >= MAX_ADDRESSES) this.sweep();
      entry = { all: [], byUnit: new Map() };
      this.addresses.set(address, entry);
    }
    entry.all.push(now);
    let unit = entry.byUnit.get(unitId);
    if (!unit) {
      unit = [];
      entry.byUnit.set(unitId, unit);
    }
    unit.push(now);
    // keep no more than a limit's worth: older ones cannot decide anything
    if (entry.all.length > this.opts.perAddress) entry.all.shift();
    if (unit.length > this.opts.perUnit) unit.shift();
  }

  /** Addresses with failures in the window (for tests and metrics). */
  get size(): number {
    return this.addresses.size;
  }

  /** Forgets failures that left the window; call now and then. */
  sweep(): void {
    const now = this.now();
    for (const [address, entry] of this.addresses) {
      this.expire(entry, now);
      if (entry.all.length === 0) this.addresses.delete(address);
    }
    // still full (a spray from more addresses than we keep): drop the oldest entries
    for (const address of this.addresses.keys()) {
      if (this.addresses.size < MAX_ADDRESSES) break;
      this.addresses.delete(address);
    }
  }

  private expire(entry: AddressFailures, now: number): void {
    const cutoff = now - this.opts.windowMs;
    while (entry.all.length > 0 && entry.all[0]! <= cutoff) entry.all.shift();
    for (const [unitId, times] of entry.byUnit) {
      while (times.length > 0 && times[0]! <= cutoff) times.shift();
      if (times.length === 0) entry.byUnit.delete(unitId);
    }
  }
}
