// Drains the queues to the broker at QoS 1, in order, at most `maxInFlight` awaiting PUBACK at once.
// An entry leaves its queue only on PUBACK (for the hub: committed to the database).
// Messages already handed to mqtt.js when the link drops stay in its session store and are resent
// by mqtt.js first on reconnect (clean session false); new ones go out after them, so order holds.
import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import type { OutboxQueue } from '../queue/queue';

export interface ForwarderLane<T = unknown> {
  /** 'alarm', 'gps': for events and stats */
  name: string;
  topic: string;
  queue: OutboxQueue<T>;
}

interface LaneState {
  lane: ForwarderLane;
  /** next seq to read */
  cursor: number;
  /** seqs handed to mqtt.js and not yet acknowledged */
  inFlight: Set<number>;
}

export type ForwarderEvents = {
  /** a PUBACK arrived: the entry left its queue */
  acked: [lane: string, seq: number];
};

export class Forwarder extends EventEmitter<ForwarderEvents> {
  readonly #client: MqttClient;
  /** in priority order: an SOS does not wait behind a day of positions */
  readonly #lanes: LaneState[];
  readonly #maxInFlight: number;
  #online = false;
  #pumping = false;
  #again = false;
  #closed = false;
  /** publishes handed to mqtt.js */
  sent = 0;
  /** PUBACKs received */
  acked = 0;

  constructor(client: MqttClient, lanes: ForwarderLane[], maxInFlight: number) {
    super();
    this.#client = client;
    this.#lanes = lanes.map((lane) => ({ lane, cursor: 0, inFlight: new Set<number>() }));
    this.#maxInFlight = maxInFlight;
  }

  get inFlight(): number {
    let n = 0;
    for (const l of this.#lanes) n += l.inFlight.size;
    return n;
  }

  /** The link is up (CONNACK) or down; while down nothing new is handed to mqtt.js. */
  setOnline(online: boolean): void {
    this.#online = online;
    if (online) this.pump();
  }

  /** Sends what fits in the window; call after an append, a PUBACK or a reconnect. */
  pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#drain().finally(() => {
      this.#pumping = false;
      // a pump() may have come after the drain's last look at #again but before this callback
      if (this.#again && !this.#closed) this.pump();
    });
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      for (const state of this.#lanes) {
        while (this.#online && !this.#closed && this.inFlight < this.#maxInFlight) {
          const room = this.#maxInFlight - this.inFlight;
          const entries = (await state.lane.queue.read(state.cursor, room + state.inFlight.size)).filter((e) => !state.inFlight.has(e.seq));
          if (entries.length === 0) break;
          for (const e of entries.slice(0, room)) {
            state.cursor = e.seq + 1;
            this.#publish(state, e.seq, e.record);
          }
        }
      }
    } while (this.#again && !this.#closed);
  }

  #publish(state: LaneState, seq: number, record: unknown): void {
    state.inFlight.add(seq);
    this.sent++;
    this.#client.publish(state.lane.topic, JSON.stringify(record), { qos: 1 }, (err) => {
      state.inFlight.delete(seq);
      if (err) {
        // mqtt.js gave up on it (client ended): read it again from the queue next time
        if (state.lane.queue.isPending(seq)) state.cursor = Math.min(state.cursor, seq);
      } else {
        state.lane.queue.ack(seq);
        this.acked++;
        this.emit('acked', state.lane.name, seq);
      }
      if (!this.#closed) this.pump();
    });
  }

  close(): void {
    this.#closed = true;
    this.#online = false;
  }
}
