// The live feed: socket.io pushes positions, alarms and unit status to walls, coalesced
// into one batch per client every `flushMs` (the newest position per unit), optionally
// limited to the bounding box the client asked for. Positions are taken as they are
// accepted, not after their batch commits, so a wall lags a unit by the flush interval
// only; late and repeated positions never move a marker back.
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  latestOrderMs,
  LiveSubscribeSchema,
  type Alarm,
  type BBox,
  type LiveClientToServer,
  type LiveServerToClient,
  type Position,
  type Principal,
  type PositionOut,
  type UnitStatusOut,
  type IncidentEvents,
} from '@hub/config';
import type { TelemetryBus } from '../events';
import { handshakeToken, setSocketPrincipal, socketRefusal } from '@hub/identity';
import { DB_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '@hub/platform';
import { positionOut } from '../store/positions';
import type { TelemetryMetrics } from '../metrics';
import type { EventEmitter } from 'node:events';

/** What the feed shows walls: from this hub's bus, or from another hub (cluster/relay.ts). */
export type LiveEvent =
  { kind: 'position'; position: PositionOut } | { kind: 'alarm'; alarm: Alarm } | { kind: 'status'; status: UnitStatusOut } | { kind: 'incident'; event: keyof IncidentEvents; data: unknown };

export interface LiveFeedOptions {
  io: Server<LiveClientToServer, LiveServerToClient>;
  bus: TelemetryBus;
  /** how often each client gets a batch, ms */
  flushMs: number;
  /** the operator behind the token presented in the handshake, or null */
  authorize: (token: string | undefined) => Promise<Principal | null>;
  metrics: TelemetryMetrics;
  log: Logger;
  /** each event of this hub's own as the feed takes it (the cluster relays it to the other hubs); default none */
  onLocal?: (event: LiveEvent) => void;
}

interface Wall {
  socket: Socket<LiveClientToServer, LiveServerToClient>;
  bbox: BBox | null;
  positions: Map<string, PositionOut>;
  alarms: Alarm[];
  statuses: UnitStatusOut[];
}

function inside(b: BBox, lon: number, lat: number): boolean {
  return lon >= b[0] && lat >= b[1] && lon <= b[2] && lat <= b[3];
}

export class LiveFeed {
  private readonly walls = new Map<string, Wall>();
  /** each unit's latest position seen: its order (latestOrderMs) and fix time, epoch ms */
  private readonly newest = new Map<string, { order: number; ts: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: LiveFeedOptions) {
    const { io, bus } = opts;
    io.use((socket, next) => {
      const token = handshakeToken(socket);
      opts.authorize(token).then(
        (principal) => {
          if (principal) {
            setSocketPrincipal(socket, token!, principal);
            return next();
          }
          opts.log.warn({ remote: socket.handshake.address }, 'live feed connection refused: no valid operator credential');
          next(
            token
              ? socketRefusal('HUB_ERR_AUTH_INVALID', 'the operator token is not valid (expired or ended?): log in again')
              : socketRefusal('HUB_ERR_AUTH_REQUIRED', 'log in first; the handshake needs auth.token'),
          );
        },
        (err: unknown) => {
          if (isDatabaseUnavailable(err)) {
            opts.log.warn({ err }, 'live feed connection refused: the database is unavailable');
            next(socketRefusal('HUB_ERR_DB_UNAVAILABLE', `the hub's database cannot be reached just now; try again in ${DB_RETRY_AFTER_SECONDS} s`));
            return;
          }
          opts.log.error({ err }, 'live feed authorization failed');
          next(socketRefusal('HUB_ERR_INTERNAL', 'the credential could not be checked; try again'));
        },
      );
    });
    io.on('connection', (socket) => this.attach(socket));

    const local = (event: LiveEvent) => {
      if (this.show(event)) opts.onLocal?.(event);
    };
    // per position, the hot path: its wire shape is made only when a wall or another hub takes it
    const onPosition = (p: Position) => {
      if (!this.isNewest(p.unitId, p.ts.getTime()) || (this.walls.size === 0 && !opts.onLocal)) return;
      const position = positionOut(p);
      this.place(position);
      opts.onLocal?.({ kind: 'position', position });
    };
    const onAlarm = (alarm: Alarm) => local({ kind: 'alarm', alarm });
    const onStatus = (status: UnitStatusOut) => local({ kind: 'status', status });
    bus.on('positionAccepted', onPosition);
    bus.on('alarm', onAlarm);
    bus.on('status', onStatus);
    this.unsubscribe.push(
      () => bus.off('positionAccepted', onPosition),
      () => bus.off('alarm', onAlarm),
      () => bus.off('status', onStatus),
    );
    this.timer = setInterval(() => this.flush(), opts.flushMs);
  }

  /** Relays incidents, dispatches, linkage and escalations to every wall at once (rare, and all matter). */
  relay(source: Pick<EventEmitter<IncidentEvents>, 'on' | 'off'>): void {
    const relay = <K extends keyof IncidentEvents>(event: K) => {
      const fn = (...args: IncidentEvents[K]) => {
        const shown: LiveEvent = { kind: 'incident', event, data: args[0] };
        this.show(shown);
        this.opts.onLocal?.(shown);
      };
      source.on(event, fn as never);
      this.unsubscribe.push(() => source.off(event, fn as never));
    };
    relay('incident');
    relay('dispatch');
    relay('linkage');
    relay('escalation');
    relay('offer');
  }

  private attach(socket: Socket<LiveClientToServer, LiveServerToClient>): void {
    const wall: Wall = { socket, bbox: null, positions: new Map(), alarms: [], statuses: [] };
    this.walls.set(socket.id, wall);
    this.opts.metrics.liveClients.set(this.walls.size);
    socket.on('subscribe', (msg, ack) => {
      const parsed = LiveSubscribeSchema.safeParse(msg);
      if (!parsed.success) {
        const error = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
        if (typeof ack === 'function') ack({ ok: false, code: 'HUB_ERR_VALIDATION', error });
        return;
      }
      wall.bbox = parsed.data.bbox ?? null;
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('disconnect', () => {
      this.walls.delete(socket.id);
      this.opts.metrics.liveClients.set(this.walls.size);
    });
  }

  private fanOut(fn: (w: Wall) => unknown): void {
    for (const w of this.walls.values()) fn(w);
  }

  /**
   * Shows an event to the walls: positions, alarms and statuses in the next batch, incident
   * events at once. False for a position older than one already shown (nothing to relay).
   */
  show(event: LiveEvent): boolean {
    switch (event.kind) {
      case 'position':
        if (!this.isNewest(event.position.unitId, Date.parse(event.position.ts))) return false;
        this.place(event.position);
        return true;
      case 'alarm': {
        const a = event.alarm;
        this.fanOut((w) => (!w.bbox || a.lat === null || a.lon === null || inside(w.bbox, a.lon, a.lat)) && w.alarms.push(a));
        return true;
      }
      case 'status':
        this.fanOut((w) => w.statuses.push(event.status));
        return true;
      case 'incident':
        for (const w of this.walls.values()) (w.socket.emit as (e: string, p: unknown) => void)(event.event, event.data);
        return true;
    }
  }

  /**
   * Whether a unit's position of fix time `t` (epoch ms) is its newest yet, and then remembers
   * it. Late and repeated positions are stored in their place in time; live, only the newest
   * counts. Positions arrive here as they are received, so now is their arrival time.
   */
  private isNewest(unitId: string, t: number): boolean {
    const order = latestOrderMs(t, Date.now());
    const before = this.newest.get(unitId);
    if (before && (order < before.order || (order === before.order && t <= before.ts))) return false;
    this.newest.set(unitId, { order, ts: t });
    return true;
  }

  /** Puts a unit's newest position in the next batch of each wall that looks at its place. */
  private place(p: PositionOut): void {
    for (const w of this.walls.values()) {
      if (!w.bbox || inside(w.bbox, p.lon, p.lat)) w.positions.set(p.unitId, p);
    }
  }

  private flush(): void {
    for (const w of this.walls.values()) {
      if (w.positions.size === 0 && w.alarms.length === 0 && w.statuses.length === 0) continue;
      w.socket.emit('batch', { positions: [...w.positions.values()], alarms: w.alarms, statuses: w.statuses });
      w.positions = new Map();
      w.alarms = [];
      w.statuses = [];
      this.opts.metrics.liveBatches.inc();
    }
  }

  /** Stops the timer and the bus listeners; sockets are closed with the socket.io server. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe.splice(0).forEach((u) => u());
  }
}
