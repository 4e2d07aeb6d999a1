// This hub as a member of the cluster: its lease in Redis, the units it holds connections
// of, and the sweep of hubs whose lease ran out. Redis is the one place where "is this unit
// connected anywhere" is answered, by small Lua scripts (keys.ts) so that two hubs never
// both decide a unit came online or went offline.
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { CONNECT, DISCONNECT, STREAM_GONE, SWEEP, PREFIX, keys } from './keys';
import { ClusterUnavailableError, redact } from './errors';
import { LeaseKeeper } from './lease-keeper';

export interface ClusterLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClusterMemberOptions {
  /** redis://host:port */
  redisUrl: string;
  /** this hub's name; default `<hostname>-<pid>` */
  hubId?: string;
  /** a hub silent this long is dead, ms; default 5000 */
  leaseMs?: number;
  /** a hub whose main thread is stuck this long lets its lease lapse, ms; default 30000 */
  stallMs?: number;
  /** this hub's HTTP base URL for the other hubs (cluster.advertiseUrl); default none until advertise() */
  advertiseUrl?: string;
  log: ClusterLog;
}

export type ClusterMemberEvents = {
  /** a dead hub's units that have no connection left anywhere: they go offline (emitted on one hub only) */
  unitsLost: [unitIds: string[], deadHubId: string];
  /** Redis came back (it may have lost its data) or this hub's lease lapsed: register the local units and streams again */
  resync: [reason: 'redis_back' | 'lease_lapsed'];
  /** a dead hub was swept (emitted on the one hub that swept it): what it was doing is for the living to end */
  hubSwept: [deadHubId: string];
  /** one message of the event channel, from another hub */
  message: [fromHubId: string, body: string];
};

export interface ClusterHealth {
  hubId: string;
  redis: 'up' | 'down';
  hubs: number;
  error?: string;
}

export class ClusterMember extends EventEmitter<ClusterMemberEvents> {
  readonly hubId: string;
  readonly leaseMs: number;
  readonly stallMs: number;
  /** commands (scripts, lease); fails at once while Redis is down, so callers can fall back */
  readonly #cmd: Redis;
  /** the event channel's subscription */
  readonly #sub: Redis;
  readonly #log: ClusterLog;
  readonly #url: string;
  #timer: NodeJS.Timeout | undefined;
  #keeper: LeaseKeeper | undefined;
  #advertiseUrl: string | undefined;
  #hubs = 1;
  #lastError: string | undefined;
  #lostRedis = false;
  #closed = false;
  #left = false;

  private constructor(opts: ClusterMemberOptions) {
    super();
    this.hubId = opts.hubId ?? `${hostname()}-${process.pid}`;
    this.leaseMs = opts.leaseMs ?? 5000;
    this.stallMs = opts.stallMs ?? 30_000;
    this.#log = opts.log;
    this.#url = opts.redisUrl;
    this.#advertiseUrl = opts.advertiseUrl;
    const common = {
      lazyConnect: true,
      // a command while Redis is down fails at once instead of queueing: presence falls back to this hub's own view
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(200 * times, 2000),
    };
    this.#cmd = new Redis(opts.redisUrl, { ...common, connectionName: `hub-${this.hubId}` });
    this.#sub = new Redis(opts.redisUrl, { ...common, enableOfflineQueue: true, connectionName: `hub-${this.hubId}-events` });
    this.#watch();
  }

  /** Connects, takes the lease and starts renewing it. Fails with a clear error when Redis does not answer. */
  static async start(opts: ClusterMemberOptions): Promise<ClusterMember> {
    const member = new ClusterMember(opts);
    try {
      await Promise.all([member.#cmd.connect(), member.#sub.connect()]);
    } catch (err) {
      member.#cmd.disconnect();
      member.#sub.disconnect();
      throw new ClusterUnavailableError(opts.redisUrl, err);
    }
    await member.#sub.subscribe(keys.events);
    member.#sub.on('message', (_channel: string, raw: string) => member.#onMessage(raw));
    await member.#renew();
    // renewed from a thread of its own from now on (lease-keeper.ts); this thread sweeps
    member.#keeper = new LeaseKeeper({
      redisUrl: opts.redisUrl,
      hubId: member.hubId,
      leaseMs: member.leaseMs,
      stallMs: member.stallMs,
      prefix: PREFIX,
      advertiseUrl: member.#advertiseUrl,
      connectionName: `hub-${member.hubId}-lease`,
      onLapsed: () => member.#lapsed(),
      onStalled: (ms) => member.#log.error({ silentMs: ms, stallMs: member.stallMs }, 'cluster: this hub’s main thread is stuck; its lease is let go, as a dead hub’s'),
      onRecovered: () => member.#log.warn({}, 'cluster: this hub’s main thread runs again; its lease is renewed'),
      onError: (err) => member.#log.error({ err: err.message }, 'cluster: the lease thread failed; the lease will lapse'),
    });
    member.#timer = setInterval(() => void member.#tick(), Math.max(100, Math.floor(member.leaseMs / 3)));
    member.#timer.unref();
    opts.log.info({ hubId: member.hubId, redis: redact(opts.redisUrl), leaseMs: member.leaseMs }, 'cluster: member');
    return member;
  }

  #watch(): void {
    const down = (err: Error) => {
      this.#lastError = err.message;
      if (!this.#lostRedis && !this.#closed)
        this.#log.error({ err: err.message, redis: redact(this.#url) }, 'cluster: Redis cannot be reached; ingest goes on, walls see only this hub until it is back');
      this.#lostRedis = true;
    };
    this.#cmd.on('error', down);
    this.#sub.on('error', () => {}); // said once, by the command connection
    this.#cmd.on('ready', () => {
      if (!this.#lostRedis || this.#closed) return;
      this.#lostRedis = false;
      this.#lastError = undefined;
      this.#log.info({ redis: redact(this.#url) }, 'cluster: Redis is back; registering this hub and its units again');
      void this.#renew().then(() => this.emit('resync', 'redis_back'));
    });
  }

  get redisUp(): boolean {
    return this.#cmd.status === 'ready';
  }

  health(): ClusterHealth {
    const up = this.redisUp;
    return { hubId: this.hubId, redis: up ? 'up' : 'down', hubs: this.#hubs, ...(up || !this.#lastError ? {} : { error: this.#lastError }) };
  }

  /** A unit's first connection on this hub opened. Resolves true when it is its first in the cluster. */
  async unitConnected(unitId: string): Promise<boolean> {
    return (await this.#cmd.eval(CONNECT, 2, keys.unitHubs(unitId), keys.hubUnits(this.hubId), this.hubId, unitId)) === 1;
  }

  /** A unit's last connection on this hub closed. Resolves true when it has none left in the cluster. */
  async unitDisconnected(unitId: string): Promise<boolean> {
    return (await this.#cmd.eval(DISCONNECT, 2, keys.unitHubs(unitId), keys.hubUnits(this.hubId), this.hubId, unitId)) === 1;
  }

  /** Every unit with a connection on a hub that holds (or held, until swept) a lease. */
  async unitsConnected(): Promise<string[]> {
    const members = await this.#cmd.smembers(keys.members);
    return members.length === 0 ? [] : this.#cmd.sunion(...members.map(keys.hubUnits));
  }

  /** Sets the HTTP base URL the other hubs call this one at (known once the hub listens); it goes out with the next renewal. */
  advertise(url: string): void {
    this.#advertiseUrl = url;
    this.#keeper?.advertise(url);
    if (this.redisUp) void this.#renew().catch(() => {});
  }

  /** A stream's producer appeared on this hub: the registry names this hub as its host. */
  async streamHosted(streamId: string): Promise<void> {
    await this.#cmd.multi().set(keys.stream(streamId), this.hubId).sadd(keys.hubStreams(this.hubId), streamId).exec();
  }

  /** A stream's producer on this hub closed: forgotten, unless another hub hosts it by now. */
  async streamGone(streamId: string): Promise<void> {
    await this.#cmd.eval(STREAM_GONE, 2, keys.stream(streamId), keys.hubStreams(this.hubId), this.hubId, streamId);
  }

  /** The hub that hosts the stream's producer, with its URL (undefined when its lease ran out); undefined when no hub does. */
  async streamHost(streamId: string): Promise<{ hubId: string; url: string | undefined } | undefined> {
    const hubId = await this.#cmd.get(keys.stream(streamId));
    if (!hubId) return undefined;
    return { hubId, url: (await this.#cmd.get(keys.url(hubId))) ?? undefined };
  }

  /** A hub's HTTP base URL (cluster.advertiseUrl); undefined once its lease ran out. */
  async urlOf(hubId: string): Promise<string | undefined> {
    return (await this.#cmd.get(keys.url(hubId))) ?? undefined;
  }

  /** The other hubs that hold a lease, with their URLs (undefined for one that has not said it yet). */
  async otherHubs(): Promise<{ hubId: string; url: string | undefined }[]> {
    const hubIds = (await this.#cmd.smembers(keys.members)).filter((id) => id !== this.hubId).sort();
    if (hubIds.length === 0) return [];
    const urls = await this.#cmd.mget(...hubIds.map(keys.url));
    return hubIds.map((hubId, i) => ({ hubId, url: urls[i] ?? undefined }));
  }

  /** True while the unit has a connection on any hub. */
  async unitConnectedAnywhere(unitId: string): Promise<boolean> {
    return (await this.#cmd.scard(keys.unitHubs(unitId))) > 0;
  }

  /** Sends `body` to every other hub (`message` there). Dropped while Redis is down. */
  publish(body: string): void {
    if (!this.redisUp) return;
    this.#cmd.publish(keys.events, `${this.hubId}\n${body}`).catch(() => {});
  }

  #onMessage(raw: string): void {
    const nl = raw.indexOf('\n');
    if (nl < 0) return;
    const from = raw.slice(0, nl);
    if (from === this.hubId) return; // our own, back from Redis
    this.emit('message', from, raw.slice(nl + 1));
  }

  async #tick(): Promise<void> {
    if (this.#left || !this.redisUp) return;
    try {
      await this.#sweep();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cluster: the sweep of lapsed hubs failed; the next one tries again');
    }
  }

  /** Renews the lease now (at start, when Redis is back, with a new URL); the lease thread renews it after. */
  async #renew(): Promise<void> {
    const tx = this.#cmd.multi().set(keys.alive(this.hubId), '1', 'PX', this.leaseMs).sadd(keys.members, this.hubId);
    if (this.#advertiseUrl) tx.set(keys.url(this.hubId), this.#advertiseUrl, 'PX', this.leaseMs);
    const [, added] = (await tx.exec()) ?? [];
    if (added?.[1] === 1 && this.#timer) this.#lapsed();
  }

  /** This hub had been swept (its lease lapsed): its units register again. */
  #lapsed(): void {
    if (this.#left) return;
    this.#log.warn({ hubId: this.hubId }, 'cluster: this hub was taken as dead (its lease lapsed); registering its units again');
    this.emit('resync', 'lease_lapsed');
  }

  /** Sweeps the hubs whose lease ran out. */
  async #sweep(): Promise<void> {
    const members = await this.#cmd.smembers(keys.members);
    let alive = members.length;
    for (const hubId of members) {
      if (hubId === this.hubId) continue;
      const lost = await this.#sweepHub(hubId);
      if (!lost) continue;
      alive -= 1;
      this.#log.warn({ deadHubId: hubId, unitsLost: lost.length }, 'cluster: a hub stopped renewing its lease; its units are offline unless connected elsewhere');
      if (lost.length > 0) this.emit('unitsLost', lost, hubId);
      this.emit('hubSwept', hubId);
    }
    this.#hubs = alive;
  }

  /** The units left with no connection when `hubId` is swept; undefined when it is alive or already swept. */
  async #sweepHub(hubId: string): Promise<string[] | undefined> {
    const [outcome, ...lost] = (await this.#cmd.eval(SWEEP, 5, keys.hubUnits(hubId), keys.members, keys.alive(hubId), keys.hubStreams(hubId), keys.url(hubId), hubId, PREFIX)) as string[];
    return outcome === 'swept' ? lost : undefined;
  }

  /**
   * Gives up the lease before this hub stops: returns its units that have no connection on
   * another hub, for the caller to take offline (the others see it at once, not after the lease).
   */
  async leave(): Promise<string[]> {
    if (this.#left || !this.redisUp) return [];
    this.#left = true;
    clearInterval(this.#timer);
    await this.#keeper?.stop();
    try {
      await this.#cmd.del(keys.alive(this.hubId));
      return (await this.#sweepHub(this.hubId)) ?? [];
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cluster: could not give up the lease; the other hubs will after it runs out');
      return [];
    }
  }

  /** Leaves the cluster (see leave()) and disconnects from Redis. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.leave();
    this.#closed = true;
    await this.#keeper?.stop();
    this.#cmd.disconnect();
    this.#sub.disconnect();
  }
}
