// A unit as a plain MQTT client (mqtt.js), for tests that want its every message in hand:
// connected with its credential, subscribed to its command topic (commands collected), and a
// `publish` that stamps the body with now and sends it at QoS 1 (resolves on PUBACK).
import mqtt, { type MqttClient } from 'mqtt';
import { CommandMessageSchema, topics, type Command } from '@hub/config';

export interface MqttUnit {
  client: MqttClient;
  commands: Command[];
  publish(topic: string, body: object): Promise<unknown>;
}

export async function connectMqttUnit(url: string, id: string, secret: string, clientId = id): Promise<MqttUnit> {
  const client = mqtt.connect(url, { username: id, password: secret, clientId, reconnectPeriod: 0 });
  const commands: Command[] = [];
  client.on('message', (_topic, payload) => commands.push(CommandMessageSchema.parse(JSON.parse(payload.toString()))));
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topics.cmd(id), { qos: 1 });
  const publish = (topic: string, body: object) => client.publishAsync(topic, JSON.stringify({ ts: Date.now(), ...body }), { qos: 1 });
  return { client, commands, publish };
}
