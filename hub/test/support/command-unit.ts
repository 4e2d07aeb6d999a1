// A unit for the command-outbox tests: a real MQTT client that keeps its session as the edge
// agent does (a stable client id, clean false, subscribing only when the broker has no session
// for it), and collects every command it is sent, repeats included.
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { CommandMessageSchema, topics, type Command, type DispatchResponse, type Incident } from '@hub/config';
import type { TestHub } from '../../../test-support/test-hub';

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

/** Opens an incident on `hub` and dispatches the unit to it: the dispatch's command id. */
export async function dispatchOn(hub: TestHub, unitId: string): Promise<{ incidentId: number; commandId: string }> {
  const incident = (await hub.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.61, lon: 114.2 })).body;
  const res = await hub.api<DispatchResponse>('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: [unitId] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { incidentId: incident.id, commandId: res.body.dispatches[0]!.commandId };
}
