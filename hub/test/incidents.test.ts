// From SOS to resolved, end to end: a real hub, database and broker, real edge agents. An SOS
// opens an incident, the nearest units are ranked for a known layout, the dispatched units'
// devices confirm receipt (delivered) and only their people's answers put them en route, a unit driven into the radius is on scene by itself, the
// incident is resolved, and the KPIs the API reports equal the times this test observed.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UnitAgent, onDispatch, type DispatchOrder } from '@hub/edge-agent';
import type { DispatchEvent, Incident, IncidentDetail, KpiResponse, LinkageEvent, NearestUnit, Replay } from '@hub/config';
import { ADMIN_TOKEN, eventually, startTestHub, type TestHub } from '../../test-support/test-hub';
import { untar } from './support/untar';

let t: TestHub;
let wall: Socket;
const agents = new Map<string, UnitAgent>();
const live = { incidents: [] as Incident[], dispatches: [] as DispatchEvent[], linkage: [] as LinkageEvent[] };

// The layout: the SOS at P0; vehicles north of it at known distances (1° of latitude ≈ 111,195 m).
const P0 = { lat: 22.5431, lon: 114.0579 };
const north = (m: number) => ({ lat: P0.lat + m / 111_195, lon: P0.lon });

async function unit(id: string, type: 'vehicle' | 'bodycam', at: { lat: number; lon: number }, speed = 0) {
  const { secret } = await t.createUnit(id, type);
  const agent = await UnitAgent.start({ unitId: id, secret, broker: t.mqtt, reconnectMs: 100 });
  agents.set(id, agent);
  await eventually(async () => agent.connected, 10_000, `${id} connected`);
  await agent.report({ ts: Date.now(), ...at, speed, heading: 180, accuracy: 4 });
  await eventually(async () => (await t.api<{ unitId: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === id), 10_000, `${id} position stored`);
  return agent;
}

/** Reports a fix and waits until the hub has committed it. */
async function drive(agent: UnitAgent, at: { lat: number; lon: number }, speed = 8) {
  const ts = Date.now();
  await agent.report({ ts, ...at, speed, heading: 180, accuracy: 4 });
  await eventually(
    async () => (await t.api<{ unitId: string; ts: string }[]>('GET', '/api/positions/latest')).body.some((p) => p.unitId === agent.unitId && Date.parse(p.ts) >= ts),
    10_000,
    `${agent.unitId} at its new place`,
  );
}

beforeAll(async () => {
  t = await startTestHub({
    'linkage.onSceneRadiusM': 50,
    // no camera in this test: the video path has its own tests
    'linkage.rules.sos.startStream': false,
    'linkage.rules.sos.record': false,
    'linkage.rules.sos.escalateAfterSeconds': 0,
  });
  wall = ioClient(t.http, { auth: { token: ADMIN_TOKEN }, transports: ['websocket'] });
  wall.on('incident', (i: Incident) => live.incidents.push(i));
  wall.on('dispatch', (d: DispatchEvent) => live.dispatches.push(d));
  wall.on('linkage', (l: LinkageEvent) => live.linkage.push(l));
  await eventually(async () => wall.connected, 10_000, 'wall connected');
});

afterAll(async () => {
  wall?.close();
  await Promise.all([...agents.values()].map((a) => a.close()));
  await t?.close();
});

describe('an SOS, from report to resolved', () => {
  let incident: Incident;
  const seen: Record<string, number> = {};
  const orders = new Map<string, DispatchOrder & { at: number }>();

  it('builds the layout: the SOS body cam, four vehicles at known distances, one offline, one busy', async () => {
    await unit('sos-1', 'bodycam', P0);
    await unit('v-a', 'vehicle', north(300), 10);
    await unit('v-b', 'vehicle', north(800), 6);
    await unit('v-c', 'vehicle', north(1500));
    await unit('v-far', 'vehicle', north(5000));
    const off = await unit('v-off', 'vehicle', north(100));
    await off.close();
    agents.delete('v-off');
    await eventually(async () => (await t.hub.db.query('SELECT online FROM units WHERE id = $1', ['v-off'])).rows[0]?.online === false, 10_000, 'v-off offline');
    // v-busy is close, but already sent to another incident
    const busy = await unit('v-busy', 'vehicle', north(200));
    onDispatch(busy, () => true); // its person accepts: it is on its way elsewhere
    const other = await t.api<Incident>('POST', '/api/incidents', { type: 'hotline', lat: 22.6, lon: 114.1, note: 'elsewhere' });
    expect(other.status).toBe(201);
    expect((await t.api('POST', `/api/incidents/${other.body.id}/dispatch`, { unitIds: ['v-busy'] })).status).toBe(200);
    await eventually(async () => (await t.api<Incident>('GET', `/api/incidents/${other.body.id}`)).body.units[0]?.state === 'en_route', 10_000, 'v-busy en route');
  });

  it('opens an incident from the SOS and proposes the nearest units on the wall', async () => {
    await agents.get('sos-1')!.sos('help needed');
    incident = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.type === 'sos'), 10_000, 'SOS incident');
    expect(incident).toMatchObject({ source: 'alarm', unitId: 'sos-1', state: 'reported', lat: P0.lat, lon: P0.lon, note: 'help needed' });
    expect(incident.alarmId).toBeGreaterThan(0);
    // the district it happened in, from the basemap's GeoJSON (the illustrative sample's centre square)
    expect(incident.district).toBe('Centre district (illustrative)');
    const linkage = await eventually(async () => live.linkage.find((l) => l.incidentId === incident.id), 10_000, 'linkage event');
    expect(linkage.openCameras).toEqual(['sos-1']);
    expect(linkage.alarmId).toBe(incident.alarmId);
    expect(linkage.nearest.map((n) => n.unitId)).toEqual(['v-a', 'v-b', 'v-c']);
    expect(live.incidents.some((i) => i.id === incident.id && i.state === 'reported')).toBe(true);
  });

  it('ranks available vehicles by distance, with arrival estimates from recent speed', async () => {
    const res = await t.api<{ units: NearestUnit[] }>('GET', `/api/units/nearest?lat=${P0.lat}&lon=${P0.lon}&limit=10&types=vehicle`);
    expect(res.status).toBe(200);
    const units = res.body.units;
    expect(units.map((u) => u.unitId)).toEqual(['v-a', 'v-b', 'v-c', 'v-far']); // not v-off (offline), not v-busy (assigned)
    const [a, b, c] = units;
    expect(a!.distanceM).toBeCloseTo(300, -1);
    expect(b!.distanceM).toBeCloseTo(800, -1);
    // ETA = distance × 1.3 ÷ median recent speed (10 and 6 m/s); v-c stands still: the vehicle default 8 m/s
    expect(a!.etaSeconds).toBe(Math.round((a!.distanceM * 1.3) / 10));
    expect(b!.etaSeconds).toBe(Math.round((b!.distanceM * 1.3) / 6));
    expect(c!.etaSeconds).toBe(Math.round((c!.distanceM * 1.3) / 8));
    expect(units.every((u) => u.online && u.assignedIncidentId === null)).toBe(true);

    const everyone = await t.api<{ units: NearestUnit[] }>('GET', `/api/units/nearest?lat=${P0.lat}&lon=${P0.lon}&limit=3&types=vehicle&all=true`);
    expect(everyone.body.units.map((u) => u.unitId)).toEqual(['v-off', 'v-busy', 'v-a']);
    expect(everyone.body.units[0]!.online).toBe(false);
    expect(everyone.body.units[1]!.assignedIncidentId).not.toBeNull();

    const bad = await t.api<{ code: string; message: string }>('GET', `/api/units/nearest?lat=95&lon=${P0.lon}`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('lat');
  });

  it('acknowledges the SOS alarm as an operator: its own KPI figure', async () => {
    seen.alarmAckBefore = Date.now();
    const ack = await t.api('POST', `/api/alarms/${incident.alarmId}/ack`, { note: 'seen' });
    seen.alarmAckAfter = Date.now();
    expect(ack.status).toBe(200);
  });

  it('dispatches two units over MQTT; delivered is not accepted: only their people’s answers put them en route', async () => {
    const decide = new Map<string, (accepted: boolean) => void>();
    for (const id of ['v-a', 'v-b']) {
      onDispatch(agents.get(id)!, (order) => {
        orders.set(id, { ...order, at: Date.now() });
        return new Promise<boolean>((answer) => decide.set(id, answer));
      });
    }
    seen.dispatchBefore = Date.now();
    const res = await t.api<{ dispatches: { unitId: string; commandId: string; state: string }[] }>('POST', `/api/incidents/${incident.id}/dispatch`, {
      unitIds: ['v-a', 'v-b'],
      note: 'SOS from body cam sos-1',
    });
    seen.dispatchAfter = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.dispatches.map((d) => [d.unitId, d.state])).toEqual([
      ['v-a', 'sent'],
      ['v-b', 'sent'],
    ]);

    await eventually(async () => orders.size === 2, 10_000, 'orders at both agents');
    const order = orders.get('v-a')!;
    expect(order).toMatchObject({ type: 'dispatch', incidentId: String(incident.id), lat: P0.lat, lon: P0.lon, note: 'SOS from body cam sos-1' });
    expect(order.id).toBe(res.body.dispatches[0]!.commandId);
    seen.firstOrder = Math.min(...[...orders.values()].map((o) => o.at));

    // the devices confirmed receipt; nobody has answered: the incident is still only dispatched
    const delivered = await eventually(
      async () => {
        const i = (await t.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body;
        return i.units.every((u) => u.state === 'delivered') && i;
      },
      10_000,
      'delivered',
    );
    seen.deliveredSeen = Date.now();
    expect(delivered.state).toBe('dispatched');
    expect(delivered.units.every((u) => u.deliveredAt && !u.answeredAt && !u.enRouteAt)).toBe(true);
    await t.hub.incidents.settled();
    expect((await t.api<Incident>('GET', `/api/incidents/${incident.id}`)).body.state).toBe('dispatched');

    seen.acceptBefore = Date.now();
    for (const answer of decide.values()) answer(true);
    const enRoute = await eventually(
      async () => {
        const i = (await t.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body;
        return i.state === 'en_route' && i.units.every((u) => u.state === 'en_route') && i;
      },
      10_000,
      'en route',
    );
    seen.enRouteSeen = Date.now();
    expect(enRoute.units.map((u) => u.unitId).sort()).toEqual(['v-a', 'v-b']);
    expect(enRoute.units.every((u) => u.deliveredAt && u.answeredAt && u.enRouteAt && Date.parse(u.answeredAt) >= seen.acceptBefore! - 1)).toBe(true);
    await eventually(async () => live.dispatches.filter((d) => d.incidentId === incident.id && d.state === 'en_route').length === 2, 10_000, 'live en_route');
    expect(live.dispatches.filter((d) => d.incidentId === incident.id).map((d) => d.state)).toEqual(expect.arrayContaining(['sent', 'delivered', 'accepted', 'en_route']));
    // dispatched units are no longer available
    const nearest = await t.api<{ units: NearestUnit[] }>('GET', `/api/units/nearest?lat=${P0.lat}&lon=${P0.lon}&types=vehicle`);
    expect(nearest.body.units.map((u) => u.unitId)).toEqual(['v-c', 'v-far']);
  });

  it('moves a unit driven into the radius to on scene by itself, from its GPS', async () => {
    const a = agents.get('v-a')!;
    await drive(a, north(200));
    await drive(a, north(100));
    await drive(a, north(60)); // still outside 50 m
    await t.hub.incidents.settled();
    expect((await t.api<Incident>('GET', `/api/incidents/${incident.id}`)).body.state).toBe('en_route');
    seen.arriveBefore = Date.now();
    await a.report({ ts: Date.now(), ...north(30), speed: 2, heading: 180, accuracy: 4 });
    const onScene = await eventually(
      async () => {
        const i = (await t.api<Incident>('GET', `/api/incidents/${incident.id}`)).body;
        return i.state === 'on_scene' && i;
      },
      10_000,
      'on scene',
    );
    seen.arriveSeen = Date.now();
    expect(onScene.units.find((u) => u.unitId === 'v-a')).toMatchObject({ state: 'on_scene' });
    expect(onScene.units.find((u) => u.unitId === 'v-b')).toMatchObject({ state: 'en_route' });
    await eventually(async () => live.dispatches.some((d) => d.incidentId === incident.id && d.unitId === 'v-a' && d.state === 'on_scene'), 10_000, 'live on_scene');
  });

  it('resolves; the trail holds every step with its time and actor', async () => {
    seen.resolveBefore = Date.now();
    const res = await t.api<Incident>('POST', `/api/incidents/${incident.id}/transition`, { to: 'resolved' });
    seen.resolveAfter = Date.now();
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('resolved');
    const detail = (await t.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body;
    const steps = detail.timeline.filter((e) => e.toState).map((e) => [e.toState, e.actor]);
    expect(steps).toEqual([
      ['reported', 'linkage'],
      ['dispatched', 'admin'],
      ['en_route', expect.stringMatching(/^unit:v-[ab]$/)],
      ['on_scene', 'unit:v-a'],
      ['resolved', 'admin'],
    ]);
    expect(
      detail.timeline
        .filter((e) => e.kind === 'unit_accepted')
        .map((e) => e.detail.unitId)
        .sort(),
    ).toEqual(['v-a', 'v-b']);
    const times = detail.timeline.map((e) => Date.parse(e.ts));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('reports KPIs equal to the times the test observed', async () => {
    const created = Date.parse(incident.createdAt);
    const from = new Date(created - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await t.api<KpiResponse>('GET', `/api/kpis?from=${from}&to=${to}&groupBy=unit`);
    expect(res.status).toBe(200);
    const k = res.body.incidents.find((i) => i.incidentId === incident.id)!;
    const s = (ms: number) => (ms - created) / 1000;
    const within = (v: number | null, lo: number, hi: number) => {
      expect(v).not.toBeNull();
      // 1 ms either side: the database keeps microseconds, the test's clock milliseconds
      expect(v!).toBeGreaterThanOrEqual(s(lo) - 0.001);
      expect(v!).toBeLessThanOrEqual(s(hi) + 0.001);
    };
    within(k.dispatchS, seen.dispatchBefore!, seen.dispatchAfter!);
    within(k.acknowledgeS, seen.alarmAckBefore!, seen.alarmAckAfter!);
    within(k.deliverS, seen.dispatchBefore!, seen.deliveredSeen!);
    within(k.acceptS, seen.acceptBefore!, seen.enRouteSeen!);
    // the person took longer than the transport
    expect(k.acceptS!).toBeGreaterThan(k.deliverS!);
    within(k.arriveS, seen.arriveBefore!, seen.arriveSeen!);
    within(k.resolveS, seen.resolveBefore!, seen.resolveAfter!);

    const va = res.body.groups.find((g) => g.key === 'v-a')!;
    const vb = res.body.groups.find((g) => g.key === 'v-b')!;
    expect(va.arrive.count).toBe(1);
    expect(va.arrive.median).toBeCloseTo(k.arriveS!, 3);
    expect(vb.arrive.count).toBe(0);
    expect(vb.accept.count).toBe(1);
    expect(vb.deliver.count).toBe(1);
    expect(va.resolve.median).toBeCloseTo(k.resolveS!, 3);

    const csv = await fetch(`${t.http}/api/kpis?from=${from}&to=${to}&groupBy=unit&format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'unit,incidents,acknowledge_count,acknowledge_median_s,acknowledge_p90_s,dispatch_count,dispatch_median_s,dispatch_p90_s,deliver_count,deliver_median_s,deliver_p90_s,accept_count,accept_median_s,accept_p90_s,arrive_count,arrive_median_s,arrive_p90_s,resolve_count,resolve_median_s,resolve_p90_s,resolved_by_notice',
    );
    const row = lines.find((l) => l.startsWith('v-a,'))!.split(',');
    expect(Number(row[15])).toBeCloseTo(k.arriveS!, 3);
  });

  it('replays the units’ tracks and the timeline on one time axis', async () => {
    const res = await t.api<Replay>('GET', `/api/incidents/${incident.id}/replay`);
    expect(res.status).toBe(200);
    const r = res.body;
    const [from, to] = [Date.parse(r.from), Date.parse(r.to)];
    expect(r.tracks.map((x) => x.unitId).sort()).toEqual(['sos-1', 'v-a', 'v-b']);
    const va = r.tracks.find((x) => x.unitId === 'v-a')!;
    expect(va.points.map((p) => Math.round((p.lat - P0.lat) * 111_195))).toEqual([300, 200, 100, 60, 30]);
    for (const p of r.tracks.flatMap((x) => x.points)) {
      expect(p.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(p.ts)).toBeGreaterThanOrEqual(from);
      expect(Date.parse(p.ts)).toBeLessThanOrEqual(to);
    }
    for (const e of r.timeline) expect(Date.parse(e.ts)).toBeGreaterThanOrEqual(from);
    expect(r.timeline.at(-1)!.toState).toBe('resolved');
    expect(Array.isArray(r.segments)).toBe(true); // filled by the recorder where it runs
  });

  it('exports an evidence pack whose manifest hashes match its files', async () => {
    const res = await fetch(`${t.http}/api/incidents/${incident.id}/evidence`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    const files = untar(Buffer.from(await res.arrayBuffer()));
    const root = `incident-${incident.id}`;
    expect([...files.keys()]).toEqual(expect.arrayContaining([`${root}/timeline.json`, `${root}/track.geojson`, `${root}/track.csv`, `${root}/manifest-sha256.txt`]));
    const manifest = files.get(`${root}/manifest-sha256.txt`)!.toString().trim().split('\n');
    expect(manifest.length).toBeGreaterThanOrEqual(5);
    for (const line of manifest) {
      const [hash, name] = line.split('  ');
      expect(
        createHash('sha256')
          .update(files.get(`${root}/${name}`)!)
          .digest('hex'),
      ).toBe(hash);
    }
    const geo = JSON.parse(files.get(`${root}/track.geojson`)!.toString());
    expect(geo.features.find((f: { properties: { unitId: string } }) => f.properties.unitId === 'v-a').geometry.coordinates).toHaveLength(5);
    const timeline = JSON.parse(files.get(`${root}/timeline.json`)!.toString());
    expect(timeline.at(-1).toState).toBe('resolved');
  });
});
