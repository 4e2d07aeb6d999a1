// A hub that stops during a grace period must neither lose nor double the escalation: the grace
// end is in the database, and the case is claimed once (SKIP LOCKED) by whichever hub wakes first.
import { afterAll, expect, it } from 'vitest';
import type { Alarm, IncidentDetail, IntakeEventResult } from '@hub/config';
import { startHub, type Hub } from '@hub/server';
import { createTestDatabase } from '../../test-support/db';
import { ADMIN_TOKEN, eventually, testHubConfig, testLogger } from '../../test-support/test-hub';
import { startSmsc } from '../../test-support/smsc';

const smsc = await startSmsc({ receipt: null });
const db = await createTestDatabase();
const hubs: Hub[] = [];
afterAll(async () => {
  for (const h of hubs.splice(0)) await h.close();
  await smsc.close();
  await db.drop();
});

const config = testHubConfig(db.url, {
  'notices.smpp': { host: '127.0.0.1', port: smsc.port, system_id: 'hubtest', password: 'secret1' },
  'notices.grace': { illegal_parking: { graceSeconds: 4, recheckSeconds: 4 } },
});

async function start(): Promise<Hub> {
  const hub = await startHub(config, { logger: testLogger() });
  hubs.push(hub);
  return hub;
}

async function call<T>(hub: Hub, method: string, p: string, body?: string, type = 'application/json', token = ADMIN_TOKEN): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${hub.httpPort}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': type } : {}) }, body });
  return (await res.json()) as T;
}

it('a hub restarted during the grace period still escalates, once, with two hubs awake on the database', async () => {
  const first = await start();
  await call(first, 'POST', '/api/subjects/import', 'kind,id,name,phone\nplate,粤B12345,张三,13812341234\n', 'text/csv');
  const { token } = await call<{ token: string }>(first, 'POST', '/api/intake/clients', JSON.stringify({ name: 'camera-ai' }));
  const detection = JSON.stringify({ source: 'camera-ai', type: 'illegal_parking', lat: 22.5431, lon: 114.0579, ts: new Date().toISOString(), subject: { kind: 'plate', id: '粤B12345' } });
  const { incidentId } = await call<IntakeEventResult>(first, 'POST', '/api/intake/events', detection, 'application/json', token);
  await call(first, 'POST', '/api/intake/events', detection, 'application/json', token);
  await eventually(async () => smsc.received.length === 1, 10_000, 'the text at the SMSC');
  await first.close();
  hubs.splice(hubs.indexOf(first), 1);

  // two hubs wake on the same database: each schedules the case; one claims it
  const [a, b] = await Promise.all([start(), start()]);
  const alarms = async () => (await call<Alarm[]>(a, 'GET', '/api/alarms?kind=escalation')).filter((x) => x.details.incidentId === incidentId);
  await eventually(async () => (await alarms()).length > 0, 15_000, 'escalation after the restart');
  // both hubs' timers have long fired by now
  await new Promise((r) => setTimeout(r, 1500));
  expect(await alarms()).toHaveLength(1);
  const detail = await call<IncidentDetail>(b, 'GET', `/api/incidents/${incidentId}`);
  expect(detail.timeline.filter((e) => e.kind === 'notice_escalated')).toHaveLength(1);
  expect(smsc.received).toHaveLength(1);
});
