// The MQTT broker's message bus (aedes `mq`) for a hub in a cluster: aedes's own Redis
// emitter (mqemitter-redis) for the topics that must reach a client on another hub, the
// in-process emitter for the rest. Every unit publishes positions many times a second and no
// MQTT client subscribes to them (the hub ingests them as they arrive), so sending each one
// through Redis would only add a round trip per message; a command to a unit must reach the
// hub the unit is connected to, and aedes's "a client id connected elsewhere" notice must
// reach every hub (it closes the older connection: MQTT-3.1.4-2 across the cluster).
import { Redis } from 'ioredis';
import mqemitter from 'mqemitter';
import MQEmitterRedis from 'mqemitter-redis';

type Message = mqemitter.Message;
type Listener = (message: Message, done: () => void) => void;

export interface ClusterMqOptions {
  redisUrl: string;
  /** true for a topic (or a subscription's filter) that crosses hubs */
  crosses: (topic: string) => boolean;
}

/** aedes's `$SYS/{broker}/new/clients`, and the filter aedes subscribes it with */
export const NEW_CLIENTS = /^\$SYS\/[^/]+\/new\/clients$/;

export class ClusterMq {
  readonly #local: mqemitter.MQEmitter;
  readonly #redis: ReturnType<typeof MQEmitterRedis>;
  readonly #sub: Redis;
  readonly #pub: Redis;
  readonly #crosses: (topic: string) => boolean;

  constructor(opts: ClusterMqOptions) {
    // as aedes makes its own (aedes.js): empty levels match, so `a/+` matches `a/`
    this.#local = mqemitter({ matchEmptyLevels: true });
    // Its two connections made here: given a connectionString, mqemitter-redis passes no other
    // option to ioredis, so these would be silently ignored. A subscription made while Redis is
    // down waits for it however long (maxRetriesPerRequest null): given up after some retries, it
    // would be missing when Redis came back (ioredis re-subscribes only what Redis confirmed).
    const connect = () => new Redis(opts.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(200 * times, 2000) });
    this.#sub = connect();
    this.#pub = connect();
    this.#redis = MQEmitterRedis({ subConn: this.#sub, pubConn: this.#pub, matchEmptyLevels: true });
    // said by the cluster member, which watches the same Redis (`state` is not in the package's types)
    (this.#redis as unknown as { state: NodeJS.EventEmitter }).state.on('error', () => {});
    this.#crosses = opts.crosses;
  }

  #for(topic: string): mqemitter.MQEmitter {
    return this.#crosses(topic) ? this.#redis : this.#local;
  }

  get current(): number {
    return this.#local.current + this.#redis.current;
  }
  get concurrent(): number {
    return this.#local.concurrent;
  }

  // While Redis is down (or not yet back), the broker must not wait for it: a unit's SUBACK
  // comes at once (the subscription reaches Redis when it is back), and a message for a
  // topic that crosses hubs is delivered on this hub (a command to a unit connected here still
  // reaches it; one for a unit on another hub is the command outbox's to deliver again).

  on(topic: string, listener: Listener, done?: () => void): this {
    if (this.#crosses(topic) && this.#sub.status !== 'ready') {
      this.#redis.on(topic, listener);
      if (done) setImmediate(done);
    } else this.#for(topic).on(topic, listener, done);
    return this;
  }

  removeListener(topic: string, listener: Listener, done?: () => void): void {
    if (this.#crosses(topic) && this.#sub.status !== 'ready') {
      this.#redis.removeListener(topic, listener);
      if (done) setImmediate(done);
    } else this.#for(topic).removeListener(topic, listener, done);
  }

  emit(message: Message, done?: (error?: Error) => void): void {
    // every PUBLISH of every unit passes here: one topic test, and positions go straight to the local emitter
    if (!this.#crosses(message.topic)) this.#local.emit(message, done);
    else if (this.#pub.status === 'ready') this.#redis.emit(message, done);
    // mqemitter's own emit, on this hub's listeners only (mqemitter-redis's would queue it for Redis)
    else (mqemitter as unknown as { prototype: { emit(this: unknown, m: Message, cb?: (error?: Error) => void): void } }).prototype.emit.call(this.#redis, message, done);
  }

  close(done: () => void): void {
    this.#local.close(() => {
      // Not mqemitter-redis's own close: it QUITs each connection and waits for its `end`, which
      // a connection between its retries (Redis down, or back a moment ago) never emits after
      // ioredis's disconnect, so a hub stopping then would hang. The hub is stopping: the
      // connections are dropped, and the emitter is marked closed as its close would.
      (this.#redis as unknown as { closing: boolean }).closing = true;
      for (const conn of [this.#sub, this.#pub]) conn.disconnect();
      (mqemitter as unknown as { prototype: { close(this: unknown, cb: () => void): void } }).prototype.close.call(this.#redis, done);
    });
  }
}
