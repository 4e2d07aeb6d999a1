// The MQTT broker's message bus (aedes `mq`) for a hub in a cluster: aedes's own Redis
// emitter (mqemitter-redis) for the topics that must reach a client on another hub, the
// in-process emitter for the rest. Every unit publishes positions many times a second and no
// MQTT client subscribes to them (the hub ingests them as they arrive), so sending each one
// through Redis would only add a round trip per message; a command to a unit must reach the
// hub the unit is connected to, and aedes's "a client id connected elsewhere" notice must
// reach every hub (it closes the older connection: MQTT-3.1.4-2 across the cluster).
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
  readonly #crosses: (topic: string) => boolean;

  constructor(opts: ClusterMqOptions) {
    // as aedes makes its own (aedes.js): empty levels match, so `a/+` matches `a/`
    this.#local = mqemitter({ matchEmptyLevels: true });
    this.#redis = MQEmitterRedis({ connectionString: opts.redisUrl, matchEmptyLevels: true, retryStrategy: (times: number) => Math.min(200 * times, 2000) });
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

  on(topic: string, listener: Listener, done?: () => void): this {
    this.#for(topic).on(topic, listener, done);
    return this;
  }

  removeListener(topic: string, listener: Listener, done?: () => void): void {
    this.#for(topic).removeListener(topic, listener, done);
  }

  emit(message: Message, done?: (error?: Error) => void): void {
    this.#for(message.topic).emit(message, done);
  }

  close(done: () => void): void {
    this.#local.close(() => this.#redis.close(() => done()));
  }
}
