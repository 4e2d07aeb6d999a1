// A unit for the command-outbox tests: a real MQTT client that keeps its session as the edge
// agent does (a stable client id, clean false, subscribing only when the broker has no session
// for it), and collects every command it is sent, repeats included.
import mqtt, { type MqttClient } from 'mqtt';
import { CommandMessageSchema, topics, type Command } from '@hub/config';

export interface CommandUnit {
  client: MqttClient;
  commands: Command[];
  ack(id: string): Promise<unknown>;
  answer(id: string, accepted: boolean): Promise<unknown>;
  close(): Promise<void>;
}

export async function connectCommandUnit(url: string, unitId: string, secret: string, commands: Command[] = []): Promise<CommandUnit> {
  const client = mqtt.connect(url, { username: unitId, password: secret, clientId: `unit-${unitId}`, clean: false, reconnectPeriod: 0 });
  client.on('message', (topic, payload) => {
    if (topic === topics.cmd(unitId)) commands.push(CommandMessageSchema.parse(JSON.parse(payload.toString())));
  });
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  if (!sessionPresent) await client.subscribeAsync(topics.cmd(unitId), { qos: 1 });
  const publish = (topic: string, body: object) => client.publishAsync(topic, JSON.stringify({ ts: Date.now(), ...body }), { qos: 1 });
  return {
    client,
    commands,
    ack: (id) => publish(topics.cmdAck(unitId), { id, ok: true }),
    answer: (id, accepted) => publish(topics.cmdAnswer(unitId), { id, accepted }),
    close: () => client.endAsync(),
  };
}
