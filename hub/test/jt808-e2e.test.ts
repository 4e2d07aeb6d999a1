// JT/T 808 end to end, with the simulator's terminals (edge-agent's JT/T 808 fleet) against a
// real hub: a terminal's emergency button opens an incident; a coordinator dispatches the nearest
// unit, another terminal; the dispatch text reaches its display and is delivered; its link is cut
// and its blind-area batch afterwards leaves no position out of the database.
import { afterAll, describe, expect, it } from 'vitest';
import type { DispatchResponse, Incident, IncidentDetail, NearestUnit } from '@hub/config';
import { fleetTerminals, provisionTerminals, startJt808Fleet, type Jt808Fleet } from '@hub/edge-agent';
import { SOS_WITHOUT_VIDEO } from '../../test-support/jt808-terminal';
import { ADMIN_TOKEN, eventually, withTestHub, type TestHub } from '../../test-support/test-hub';

let t: TestHub;
// (the gateway listens on 127.0.0.1, any free port: the test hub's default)
withTestHub(SOS_WITHOUT_VIDEO, (h) => (t = h));

let fleet: Jt808Fleet | undefined;
afterAll(() => fleet?.close());

describe('JT/T 808 end to end', () => {
  it('SOS → incident → the nearest terminal dispatched and delivered → a link cut loses no position', async () => {
    const terminals = fleetTerminals({ units: 3, idPrefix: 'e2e-', phoneBase: 13_700_000_000 });
    await provisionTerminals(
      { hub: t.http, adminToken: ADMIN_TOKEN },
      terminals.map((x) => ({ id: x.unitId, name: `Truck ${x.unitId}`, type: 'vehicle', jt808: { terminalId: x.phone } })),
    );
    fleet = startJt808Fleet({ terminals, host: '127.0.0.1', port: t.hub.jt808Port!, staggerMs: 300, keepReportTimes: true });
    await eventually(async () => fleet!.stats().connected === 3 && fleet!.terminals.every((x) => x.stats.acked >= 2), 30_000, 'three terminals reporting');

    // the emergency button of the first
    const [raiser] = fleet.terminals;
    raiser!.emergency(true);
    const incident = await eventually(
      async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === raiser!.unitId && i.type === 'sos'),
      20_000,
      'an SOS incident opened by the terminal',
    );

    // the coordinator dispatches the nearest available unit: another terminal
    const nearest = (await t.api<{ units: NearestUnit[] }>('GET', `/api/units/nearest?lat=${incident.lat}&lon=${incident.lon}&limit=5`)).body.units;
    const responder = nearest.find((u) => u.unitId !== raiser!.unitId)!;
    expect(terminals.map((x) => x.unitId)).toContain(responder.unitId);
    const sent = await t.api<DispatchResponse>('POST', `/api/incidents/${incident.id}/dispatch`, { unitIds: [responder.unitId], note: '请立即前往' });
    expect(sent.status).toBe(200);
    const truck = fleet.terminal(responder.unitId)!;
    await eventually(async () => truck.texts.find((x) => x.text.includes(`事件${incident.id}`) && x.text.includes('请立即前往')), 15_000, 'the dispatch text on its display');
    await eventually(
      async () => (await t.api<IncidentDetail>('GET', `/api/incidents/${incident.id}`)).body.units.find((u) => u.unitId === responder.unitId)?.state === 'delivered',
      15_000,
      'the dispatch delivered',
    );

    // a dead zone: 4 s without a link; its positions come back as a blind-area batch
    const blindBefore = truck.stats.blindSent;
    truck.cutLink(4_000);
    await eventually(async () => !truck.stats.connected, 5_000, 'the link down');
    await eventually(async () => truck.stats.connected && truck.stats.blind === 0 && truck.stats.blindSent >= blindBefore + 3, 30_000, 'back, with the blind-area batch sent');
    await eventually(async () => truck.stats.acked >= truck.reportTimes.length - 1, 10_000, 'live reports answered again');
    await fleet.close();

    // every position it made, live or held, is stored once
    const { rows } = await t.hub.db.query<{ ts: Date }>('SELECT ts FROM positions WHERE unit_id = $1 ORDER BY ts', [truck.unitId]);
    expect(rows.map((r) => r.ts.getTime())).toEqual([...truck.reportTimes].sort((a, b) => a - b));
  });
});
