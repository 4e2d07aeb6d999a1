// An in-test MQTT broker (aedes) that authenticates units like the hub does (username = unit id,
// password = secret, publish only under units/{id}/) and records what units publish.
import net from 'node:net';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import { parseUnitTopic } from '@hub/config';

export interface RecordedMessage {
  unitId: string;
  kind: string;
  topic: string;
  payload: unknown;
  retain: boolean;
}

export class TestBroker {
  readonly port: number;
  readonly aedes: Aedes;
  readonly #server: net.Server;
  /** unit id → secret; change it to refuse or admit units */
  readonly secrets: Map<string, string>;
  /** every unit message, in arrival order */
  readonly messages: RecordedMessage[] = [];
  /** CONNECTs refused for a bad credential */
  refusedConnects = 0;
  #closed = false;

  private constructor(aedes: Aedes, server: net.Server, port: number, secrets: Map<string, string>) {
    this.aedes = aedes;
    this.#server = server;
    this.port = port;
    this.secrets = secrets;
  }

  static async start(secrets: Record<string, string> = {}, port = 0): Promise<TestBroker> {
    const map = new Map(Object.entries(secrets));
    let broker!: TestBroker;
    const unitOf = new WeakMap<Client, string>();
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const ok = username !== undefined && map.get(username) === password?.toString();
        if (!ok) {
          broker.refusedConnects++;
          const err = Object.assign(new Error('bad username or password'), { returnCode: 4 });
          return done(err as never, false);
        }
        unitOf.set(client, username!);
        done(null, true);
      },
      authorizePublish: (client: Client | null, packet: PublishPacket, done) => {
        const t = parseUnitTopic(packet.topic);
        done(client && t && t.unitId === unitOf.get(client) ? null : new Error('not your topic'));
      },
      authorizeSubscribe: (client, sub, done) => done(sub.topic === `units/${unitOf.get(client)}/cmd` ? null : new Error('not your topic'), sub),
      // runs before the PUBACK goes back: a recorded message is one the unit may forget
      published: (packet, client, done) => {
        const t = client ? parseUnitTopic(packet.topic) : undefined;
        if (t) record(packet, t);
        done(null);
      },
    });
    const record = (packet: PublishPacket, t: { unitId: string; kind: string }) => {
      let payload: unknown;
      try {
        payload = JSON.parse(packet.payload.toString());
      } catch {
        payload = packet.payload.toString();
      }
      broker.messages.push({ unitId: t.unitId, kind: t.kind, topic: packet.topic, payload, retain: packet.retain });
    };
    const server = net.createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    broker = new TestBroker(aedes, server, (server.address() as net.AddressInfo).port, map);
    return broker;
  }

  url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Recorded payloads of one unit and kind ('gps', 'alarm', 'status', 'cmd/ack'). */
  of(unitId: string, kind: string): Record<string, unknown>[] {
    return this.messages.filter((m) => m.unitId === unitId && m.kind === kind).map((m) => m.payload as Record<string, unknown>);
  }

  /** Publishes a downlink message as the hub would. */
  publish(topic: string, payload: unknown, qos: 0 | 1 = 1): Promise<void> {
    return new Promise((resolve, reject) =>
      this.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), qos, retain: false, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export { waitFor } from '../../../test-support/wait';
