// PUBACK after commit, without stalling the connection.
//
// aedes sends a QoS 1 PUBACK as soon as `authorizePublish` calls back, and reads no more
// of that connection until it does. Holding the callback until the position is committed
// would make each unit's next message wait for the previous one's commit, so a slow
// database would delay what walls see. Instead the position's hook calls back at once
// with the packet marked QoS 0 (aedes then sends no PUBACK), and this sends the PUBACK
// itself once the position is committed, in the order the PUBLISHes arrived
// (MQTT-4.6.0-2). If a write fails the connection is closed without that PUBACK or any
// later one, and the unit sends them all again.
import type { Client } from 'aedes';

/** MQTT-3.4: PUBACK, fixed header 0x40, remaining length 2, packet identifier (also valid MQTT 5, 3.4.2.1). */
function puback(messageId: number): Buffer {
  return Buffer.from([0x40, 0x02, (messageId >> 8) & 0xff, messageId & 0xff]);
}

interface ClientAcks {
  tail: Promise<void>;
  failed: boolean;
  corked: boolean;
}

export class DeferredPubacks {
  private readonly chains = new WeakMap<Client, ClientAcks>();

  constructor(private readonly onFailure: (client: Client, err: unknown) => void) {}

  /** Sends the PUBACK for `messageId` once `durable` resolves and every earlier one is sent. */
  ackWhen(client: Client, messageId: number, durable: Promise<void>): void {
    let acks = this.chains.get(client);
    if (!acks) {
      acks = { tail: Promise.resolve(), failed: false, corked: false };
      this.chains.set(client, acks);
    }
    const state = acks;
    durable.catch(() => {}); // observed below, in order
    state.tail = state.tail.then(() =>
      durable.then(
        () => {
          if (state.failed || client.closed) return;
          // A batch commit releases many PUBACKs of a connection at once: one write for all of them.
          if (!state.corked) {
            state.corked = true;
            client.conn.cork?.();
            process.nextTick(() => {
              state.corked = false;
              client.conn.uncork?.();
            });
          }
          client.conn.write(puback(messageId));
        },
        (err: unknown) => {
          if (state.failed) return;
          state.failed = true;
          this.onFailure(client, err);
        },
      ),
    );
  }
}
