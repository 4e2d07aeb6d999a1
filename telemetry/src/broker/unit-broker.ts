// The embedded MQTT broker (aedes) with unit authentication and the topic ACL.
// Every refusal is logged and counted: a CONNECT with a bad credential gets CONNACK 4
// or 5, a publish outside the unit's topics closes its connection (MQTT-3.3.5-2: 3.1.1
// has no other way to refuse), a subscribe outside them gets SUBACK 0x80.
//
// Limits: every connection (TCP and WebSocket) passes a packet-size guard before aedes
// buffers anything (packet-guard.ts), and failed logins are throttled per source address
// (login-throttle.ts).
//
// A unit is connected exactly while one of its connections is open. That is tracked here
// from each connection's own 'close', not from aedes's clientDisconnect: aedes emits that
// only while its client table still holds the client's id, and several CONNECTs with one
// client id at once (a cellular device reconnecting on a flaky link) can take another
// connection's entry out of that table, so its close was never reported and the unit
// stayed "online" with no connection.
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { UnitIdSchema, topics, type CommandMessage } from '@hub/config';
import { HubError, LoginThrottle } from '@hub/platform';
import type { CredentialCheck } from '../store/types';
import { hashSecret } from '../store/credentials';
import type { TelemetryMetrics } from '../metrics';
import { authorizeUnitPublish, authorizeUnitSubscribe } from './acl';
import { DeferredPubacks } from './deferred-puback';
import { DEFAULT_MAX_PACKET_BYTES, PacketGuard } from './packet-guard';
import type { UnitTopicKind } from '@hub/config';

export interface UnitBrokerOptions {
  verifyCredential: (unitId: string, secret: string) => Promise<CredentialCheck>;
  /** handles an authorized publish; the PUBACK waits for it, a rejection closes the connection */
  handleMessage: (unitId: string, kind: UnitTopicKind, topic: string, payload: Buffer, qos: number, isWill: boolean) => Promise<void>;
  /**
   * true while the ingest queue is too long: positions then hold their connection until
   * committed, so units slow down instead of the hub's memory growing; default never
   */
  ingestBacklogged?: () => boolean;
  /** a unit's first connection opened / last connection closed */
  onUnitOnline: (unitId: string) => void;
  onUnitOffline: (unitId: string) => void;
  /** one of a unit's connections closed and others remain open; default nothing */
  onConnectionClosed?: (unitId: string, remaining: number) => void;
  /** largest packet a client may send, bytes; default 8192 */
  maxPacketBytes?: number;
  /** failed-login limits per source address; default 10 per unit id and 100 in all per 60 s */
  loginFailures?: { perUnit: number; perAddress: number; windowSeconds: number };
  metrics: TelemetryMetrics;
  log: Logger;
  /** aedes's message bus; default its own, in this process (a cluster passes one that crosses hubs: @hub/cluster's ClusterMq) */
  mq?: unknown;
}

const RETURN_CODE: Record<Exclude<CredentialCheck, 'ok'>, number> = {
  unknown_unit: 4, // bad user name or password
  bad_secret: 4,
  no_credential: 4,
  disabled: 5, // not authorized
};

export class UnitBroker {
  readonly aedes: Aedes;
  private readonly unitOf = new WeakMap<Client, string>();
  /** the SHA-256 of the secret each connection authenticated with (what the database keeps too) */
  private readonly secretHashOf = new WeakMap<Client, string>();
  /** by unit id: its open connections */
  private readonly connections = new Map<string, Set<Client>>();
  private readonly throttle: LoginThrottle;
  private readonly throttleSweep: NodeJS.Timeout;
  private readonly maxPacketBytes: number;
  private tcp: net.Server | undefined;
  private readonly pubacks = new DeferredPubacks((client, err) => {
    this.opts.log.warn({ err, unitId: this.unitOf.get(client) }, 'positions not stored; closing the connection so the unit resends them');
    client.close();
  });
  private closed = false;
  /** told when a connection of a unit can take commands (command-outbox's delivery) */
  private readonly commandsReady = new Set<(unitId: string) => void>();

  private constructor(
    aedes: Aedes,
    private readonly opts: UnitBrokerOptions,
  ) {
    this.aedes = aedes;
    this.maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES;
    const limits = opts.loginFailures ?? { perUnit: 10, perAddress: 100, windowSeconds: 60 };
    this.throttle = new LoginThrottle({ perUnit: limits.perUnit, perAddress: limits.perAddress, windowMs: limits.windowSeconds * 1000 });
    this.throttleSweep = setInterval(() => this.throttle.sweep(), limits.windowSeconds * 1000);
    this.throttleSweep.unref();
  }

  /** largest packet a client may send, bytes */
  get packetLimit(): number {
    return this.maxPacketBytes;
  }

  static async create(opts: UnitBrokerOptions): Promise<UnitBroker> {
    const aedes = await Aedes.createBroker({ connectTimeout: 10_000, ...(opts.mq ? { mq: opts.mq } : {}) });
    const broker = new UnitBroker(aedes, opts);
    broker.installHooks();
    return broker;
  }

  /** Units with at least one open connection. */
  get connectedUnits(): number {
    return this.connections.size;
  }

  /** The ids of the units with at least one open connection here. */
  unitIds(): string[] {
    return [...this.connections.keys()];
  }

  isConnected(unitId: string): boolean {
    return this.connections.has(unitId);
  }

  private installHooks(): void {
    const { aedes, opts } = this;
    const { metrics, log } = opts;

    aedes.authenticate = (client, username, password, done) => {
      const remote = remoteOf(client) ?? 'unknown';
      const refuse = (reason: string, check: Exclude<CredentialCheck, 'ok'> | 'bad_request') => {
        metrics.connectRefused.inc({ reason });
        this.throttle.failed(remote, username ?? '');
        log.warn({ clientId: client.id, unitId: username, reason, remote }, 'MQTT CONNECT refused');
        const err = new Error(`connect refused: ${reason}`) as AuthenticateError;
        err.returnCode = check === 'bad_request' ? 4 : RETURN_CODE[check];
        done(err, false);
      };
      const throttled = this.throttle.check(remote, username ?? '');
      if (!throttled.allowed) {
        // CONNACK 3, not 4 or 5: a device that takes 4/5 as final (the edge agent does)
        // keeps retrying, and gets in once the window has passed.
        metrics.connectRefused.inc({ reason: 'login_throttled' });
        log.warn(
          { unitId: username, remote, scope: throttled.scope, retryAfterMs: throttled.retryAfterMs },
          'MQTT CONNECT refused without checking the secret: too many failed logins from this address',
        );
        const err = new Error('too many failed logins from this address') as AuthenticateError;
        err.returnCode = 3;
        return done(err, false);
      }
      if (!username || !password) return refuse('missing_credentials', 'bad_request');
      if (!UnitIdSchema.safeParse(username).success) return refuse('unknown_unit', 'unknown_unit');
      opts.verifyCredential(username, password.toString('utf8')).then(
        (check) => {
          if (check !== 'ok') return refuse(check, check);
          this.unitOf.set(client, username);
          this.secretHashOf.set(client, hashSecret(password.toString('utf8')));
          // Counted from here, not from clientReady: when a reconnect takes over an older
          // connection, the older one's close then finds the unit still connected.
          this.connectionOpened(username, client);
          done(null, true);
        },
        (err: unknown) => {
          metrics.connectRefused.inc({ reason: 'server_unavailable' });
          log.error({ err, unitId: username }, 'credential check failed');
          const e = new Error('credential check failed') as AuthenticateError;
          e.returnCode = 3; // server unavailable: the unit retries
          done(e, false);
        },
      );
    };

    aedes.authorizePublish = (client, packet, done) => {
      const unitId = client ? this.unitOf.get(client) : undefined;
      if (!unitId) {
        // A will of a client gone before authenticating, or a session without a unit.
        metrics.publishRefused.inc({ reason: 'not_authenticated' });
        return done(new Error('publish from a client that is not an authenticated unit'));
      }
      const decision = authorizeUnitPublish(unitId, packet.topic);
      if (!decision.allowed) {
        metrics.publishRefused.inc({ reason: decision.reason });
        log.warn({ unitId, topic: packet.topic, reason: decision.reason }, 'MQTT publish refused; closing the connection');
        return done(new Error(`unit ${unitId} may not publish to ${packet.topic}`));
      }
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      // aedes publishes a will with the very packet object it keeps as client.will
      const isWill = client !== null && (client as { will?: unknown }).will === packet;
      const stopTimer = metrics.ackSeconds.startTimer({ kind: decision.kind });
      const handled = opts.handleMessage(unitId, decision.kind, packet.topic, payload, packet.qos, isWill);
      if (decision.kind === 'gps' && packet.qos === 1 && !isWill && client && !opts.ingestBacklogged?.()) {
        // Positions: PUBACK after the commit, without holding up the connection (deferred-puback.ts).
        packet.qos = 0;
        this.pubacks.ackWhen(
          client,
          packet.messageId!,
          handled.then(() => void stopTimer()),
        );
        return done(null);
      }
      handled.then(
        () => {
          stopTimer();
          done(null);
        },
        (err: unknown) => {
          // Not stored: no PUBACK, the connection closes and the unit sends it again.
          log.warn({ err, unitId, topic: packet.topic }, 'message not stored; the unit will resend it');
          done(err instanceof Error ? err : new Error(String(err)));
        },
      );
    };

    aedes.authorizeSubscribe = (client, sub, done) => {
      const unitId = this.unitOf.get(client);
      if (unitId && authorizeUnitSubscribe(unitId, sub.topic)) return done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
      metrics.subscribeRefused.inc({ reason: unitId ? 'topic_not_allowed' : 'not_authenticated' });
      log.warn({ unitId, topic: sub.topic }, 'MQTT subscribe refused');
      done(null, null); // SUBACK 0x80 for this filter (MQTT-3.9.3)
    };

    aedes.on('clientReady', (client) => {
      const unitId = this.unitOf.get(client);
      if (!unitId) return;
      // a resumed session (clean false, same hub) has its subscriptions back before clientReady
      if (subscribedToCommands(client, unitId)) this.announceCommandsReady(unitId);
      // MQTT-3.1.4-2: a new connection with a client id takes over the older one. aedes
      // does it too, but not for CONNECTs that overlap; this closes any it missed.
      for (const other of this.connections.get(unitId) ?? []) {
        if (other !== client && other.id === client.id && !other.closed) other.close();
      }
      log.info({ unitId, clientId: client.id }, 'unit connected');
    });

    aedes.on('subscribe', (subscriptions, client) => {
      const unitId = this.unitOf.get(client);
      if (unitId && subscriptions.some((sub) => sub.topic === topics.cmd(unitId) && (sub.qos as number) !== 128)) this.announceCommandsReady(unitId);
    });

    // Also from here: the client is closed before its connection is (aedes closes it
    // first), and this is the earliest sure sign.
    aedes.on('clientDisconnect', (client) => this.connectionClosed(client));

    aedes.on('clientError', (client, err) => {
      log.debug({ unitId: this.unitOf.get(client), err: err.message }, 'MQTT client error');
    });
    aedes.on('connectionError', (client, err) => {
      log.debug({ clientId: client?.id, err: err.message }, 'MQTT connection error');
    });
  }

  private connectionOpened(unitId: string, client: Client): void {
    const conn = client.conn as Duplex;
    if (client.closed || conn.destroyed) return; // gone while its secret was checked
    let set = this.connections.get(unitId);
    if (!set) {
      set = new Set();
      this.connections.set(unitId, set);
      this.opts.onUnitOnline(unitId);
    }
    set.add(client);
    this.opts.metrics.connectedUnits.set(this.connections.size);
    conn.once('close', () => this.connectionClosed(client));
  }

  private connectionClosed(client: Client): void {
    const unitId = this.unitOf.get(client);
    if (!unitId) return;
    const set = this.connections.get(unitId);
    if (!set?.delete(client)) return; // already counted
    if (set.size === 0) {
      this.connections.delete(unitId);
      if (!this.closed) this.opts.onUnitOffline(unitId);
    } else if (!this.closed) {
      this.opts.onConnectionClosed?.(unitId, set.size);
    }
    this.opts.metrics.connectedUnits.set(this.connections.size);
    this.opts.log.info({ unitId, clientId: client.id, remaining: set.size }, 'unit disconnected');
  }

  /** Serves one connection (TCP socket or WebSocket stream) behind the packet-size guard. */
  handle(stream: Duplex, req?: IncomingMessage, transport: 'tcp' | 'ws' = 'ws'): void {
    const remote = (stream as { remoteAddress?: string }).remoteAddress ?? req?.socket.remoteAddress;
    const guarded = new PacketGuard(stream, {
      maxBytes: this.maxPacketBytes,
      onRefused: (verdict) => {
        this.opts.metrics.packetRefused.inc({ reason: verdict.reason, transport });
        this.opts.log.warn(
          { remote, transport, reason: verdict.reason, declaredBytes: verdict.declaredBytes, maxPacketBytes: this.maxPacketBytes },
          'MQTT packet larger than the limit; connection closed before reading it',
        );
      },
    });
    this.aedes.handle(guarded, req);
  }

  /** A WebSocket message over the transport's own limit (mqtt-over-websocket.ts): counted like an oversized packet. */
  refusedOversizedMessage(req: IncomingMessage, maxPayload: number): void {
    this.opts.metrics.packetRefused.inc({ reason: 'too_large', transport: 'ws' });
    this.opts.log.warn({ remote: req.socket.remoteAddress, transport: 'ws', maxPayload }, 'WebSocket message larger than the limit; connection closed');
  }

  /** Listens for MQTT over TCP; resolves with the port. */
  listenTcp(host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => this.handle(socket, undefined, 'tcp'));
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  get tcpListening(): boolean {
    return this.tcp?.listening ?? false;
  }

  /**
   * Closes every connection of a unit (disabled, or its credential rotated): it must
   * authenticate again, and is refused if it no longer may. Returns how many were closed.
   */
  disconnectUnit(unitId: string, reason: string): number {
    const clients = [...(this.connections.get(unitId) ?? [])];
    for (const client of clients) client.close();
    if (clients.length > 0) this.opts.log.info({ unitId, reason, connections: clients.length }, 'unit disconnected by the hub');
    return clients.length;
  }

  /**
   * Closes the unit's connections that authenticated with another secret than `currentHash`
   * (the stored one; null: none). A rotation takes effect at once, and a connection made with
   * the new secret stays, whatever order the rotation's news and the connection come in (in a
   * cluster the news comes from another hub). Returns how many were closed.
   */
  disconnectStaleCredential(unitId: string, currentHash: string | null): number {
    const stale = [...(this.connections.get(unitId) ?? [])].filter((c) => this.secretHashOf.get(c) !== currentHash);
    for (const client of stale) client.close();
    if (stale.length > 0) this.opts.log.info({ unitId, connections: stale.length }, 'unit disconnected: its credential was rotated');
    return stale.length;
  }

  /** Calls `listener` each time a connection of a unit here subscribes to its command topic (or resumes a session that has it). */
  onCommandsReady(listener: (unitId: string) => void): () => void {
    this.commandsReady.add(listener);
    return () => this.commandsReady.delete(listener);
  }

  private announceCommandsReady(unitId: string): void {
    for (const listener of this.commandsReady) listener(unitId);
  }

  /** A connection of the unit here is subscribed to its command topic: a command published now reaches it. */
  acceptsCommands(unitId: string): boolean {
    for (const client of this.connections.get(unitId) ?? []) if (!client.closed && subscribedToCommands(client, unitId)) return true;
    return false;
  }

  /**
   * Sends a command at QoS 1 to each of the unit's connections here that is subscribed to its
   * command topic, and to nothing else: not through aedes's broker-wide publish, which would also
   * queue it for the unit's offline sessions and carry it to the other hubs. The hub's command
   * outbox keeps the command until it is answered and sends it where the unit is; a unit with
   * no such connection here is refused (HUB_ERR_UNIT_OFFLINE).
   */
  sendCommand(unitId: string, command: CommandMessage): Promise<void> {
    const clients = [...(this.connections.get(unitId) ?? [])].filter((c) => !c.closed && subscribedToCommands(c, unitId));
    if (clients.length === 0) return Promise.reject(new UnitOfflineError(unitId));
    const payload = Buffer.from(JSON.stringify(command));
    const topic = topics.cmd(unitId);
    return Promise.all(
      clients.map((client) => new Promise<void>((resolve, reject) => client.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve())))),
    ).then(() => undefined);
  }

  /** Closes the TCP listener, every connection and the broker. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.throttleSweep);
    // Stop accepting first; the listener's close completes once aedes has closed every connection.
    const tcpClosed = new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    await new Promise<void>((r) => this.aedes.close(() => r()));
    await tcpClosed;
  }
}

/** 409 HUB_ERR_UNIT_OFFLINE: the unit has no connection here that takes commands. */
export class UnitOfflineError extends HubError {
  constructor(unitId: string) {
    super('HUB_ERR_UNIT_OFFLINE', 409, `unit ${unitId} has no connection to this hub subscribed to its commands`);
  }
}

function subscribedToCommands(client: Client, unitId: string): boolean {
  // aedes keeps a client's subscriptions by topic filter (lib/handlers/subscribe.js); not in its types
  const subscriptions = (client as unknown as { subscriptions?: Record<string, unknown> }).subscriptions;
  return subscriptions?.[topics.cmd(unitId)] !== undefined;
}

function remoteOf(client: Client): string | undefined {
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress ?? client.req?.socket.remoteAddress;
}
