// The agent against a real MQTT broker (aedes) through a proxy that cuts the link.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { AlarmMessageSchema, CommandAckSchema, DispatchAnswerSchema, PositionMessageSchema, StatusMessageSchema, topics } from '@hub/config';
import { UnitAgent, type UnitAgentOptions } from '../../src/agent/unit-agent';
import { onDispatch, type DispatchDecision, type DispatchOrder } from '../../src/agent/commands';
import { RouteSource } from '../../src/gps/route-source';
import { LinkProxy } from '../../../test-support/link-proxy';
import { TestBroker, waitFor } from '../support/test-broker';

const UNIT = 'car-7';
const SECRET = 's3cret-car-7';

let broker: TestBroker;
let proxy: LinkProxy;
let dir: string;
const agents: UnitAgent[] = [];

beforeEach(async () => {
  broker = await TestBroker.start({ [UNIT]: SECRET });
  proxy = await LinkProxy.start({ target: { port: broker.port } });
  dir = mkdtempSync(path.join(tmpdir(), 'agent-queue-'));
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await proxy.close();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startAgent(extra: Partial<UnitAgentOptions> = {}): Promise<UnitAgent> {
  const agent = await UnitAgent.start({
    unitId: UNIT,
    secret: SECRET,
    broker: proxy.url(),
    queueDir: dir,
    reconnectMs: 100,
    logger: process.env.DEBUG_AGENT ? (await import('../../src/log')).createLogger('debug') : undefined,
    ...extra,
  });
  agents.push(agent);
  return agent;
}

/** Timestamps of the unit's positions as the broker received them: first arrivals, and how many came twice. */
function received(): { ts: number[]; duplicates: number } {
  const seen = new Set<number>();
  const ts: number[] = [];
  let duplicates = 0;
  for (const p of broker.of(UNIT, 'gps')) {
    const pos = PositionMessageSchema.parse(p);
    const t = pos.ts.getTime();
    if (seen.has(t)) duplicates++;
    else {
      seen.add(t);
      ts.push(t);
    }
  }
  return { ts, duplicates };
}

const expectedTs = (start: number, from: number, to: number) => Array.from({ length: to - from }, (_, i) => start + (from + i) * 1000);

describe('UnitAgent store-and-forward', () => {
  it('keeps all 60 positions of a 60 s link cut at 1 Hz and sends them in order after reconnect', async () => {
    const startTs = Date.now() - 120_000;
    // 80 s of driving at 1 Hz, one fix every 10 ms of wall time
    const gps = new RouteSource({ startTs, tickMs: 10, maxFixes: 80 });
    const agent = await startAgent({ gps });
    let queuedDuringCut = 0;
    agent.on('position', (_p, seq) => {
      if (!proxy.isUp) queuedDuringCut++;
      if (seq === 9) proxy.cut(); // after the 10th position: the 11th..70th happen in the dead zone
      if (seq === 69) proxy.restore();
    });
    await waitFor(() => received().ts.length >= 80, 20_000, '80 positions');
    expect(queuedDuringCut).toBe(60);
    const { ts, duplicates } = received();
    expect(ts).toEqual(expectedTs(startTs, 0, 80)); // none lost, in order
    // a position whose PUBACK the cut swallowed is sent again: the hub stores it once (unit + ts)
    expect(duplicates).toBeLessThanOrEqual(100);
    await waitFor(() => agent.stats.queued === 0, 5000, 'queue drained');
    expect(agent.stats).toMatchObject({ queued: 0, dropped: 0, inFlight: 0 });
    expect(agent.stats.acked).toBeGreaterThanOrEqual(80);
  });

  it('loses nothing when the agent is stopped during the cut and started again on the same queue', async () => {
    const startTs = Date.now() - 120_000;
    const first = await startAgent({ gps: new RouteSource({ startTs, tickMs: 10, maxFixes: 40 }) });
    let queued = 0;
    first.on('position', (_p, seq) => {
      queued++;
      if (seq === 4) proxy.cut();
    });
    await waitFor(() => queued === 40, 10_000, '40 positions queued');
    await first.close(); // the process would exit here
    expect(received().ts.length).toBeLessThan(40);

    proxy.restore();
    // the restarted agent resends the old queue, then carries on driving
    const second = await startAgent({ gps: new RouteSource({ startTs: startTs + 40_000, tickMs: 10, maxFixes: 10 }) });
    await waitFor(() => received().ts.length >= 50, 20_000, '50 positions');
    expect(received().ts).toEqual(expectedTs(startTs, 0, 50));
    await waitFor(() => second.stats.queued === 0, 5000, 'queue drained');
  });

  it('notices a silent dead zone by keepalive and still delivers everything', async () => {
    const startTs = Date.now() - 60_000;
    const agent = await startAgent({ keepaliveS: 1 });
    await waitFor(() => agent.connected, 10_000, 'connect');
    await agent.report({ ts: startTs, lat: 22.54, lon: 114.05 });
    await waitFor(() => received().ts.length === 1, 5000, 'first position');
    proxy.cut('blackhole'); // no FIN, no RST: bytes just vanish
    for (let i = 1; i < 20; i++) await agent.report({ ts: startTs + i * 1000, lat: 22.54, lon: 114.05 + i * 1e-4 });
    await waitFor(() => !agent.connected, 10_000, 'keepalive to notice');
    proxy.restore();
    await waitFor(() => received().ts.length >= 20 && agent.stats.queued === 0, 15_000, '20 positions');
    expect(received().ts).toEqual(expectedTs(startTs, 0, 20));
  });

  it('drops the oldest positions beyond the queue bound and counts them', async () => {
    proxy.cut();
    const startTs = Date.now() - 60_000;
    const agent = await startAgent({ queueMax: 10 });
    for (let i = 0; i < 25; i++) await agent.report({ ts: startTs + i * 1000, lat: 22.54, lon: 114.05 + i * 1e-4 });
    expect(agent.stats).toMatchObject({ queued: 10, dropped: 15 });
    proxy.restore();
    await waitFor(() => received().ts.length >= 10 && agent.stats.queued === 0, 10_000, 'the 10 newest');
    expect(received().ts).toEqual(expectedTs(startTs, 15, 25));
  });
});

describe('UnitAgent status, SOS and commands', () => {
  it('publishes a retained online status, and a retained offline one when closed', async () => {
    const agent = await startAgent();
    await waitFor(() => broker.of(UNIT, 'status').length >= 1, 10_000, 'online');
    const online = broker.messages.find((m) => m.kind === 'status')!;
    expect(online.retain).toBe(true);
    expect(StatusMessageSchema.parse(online.payload).state).toBe('online');
    await agent.close();
    await agent.close(); // twice is fine
    const statuses = broker.of(UNIT, 'status').map((s) => StatusMessageSchema.parse(s).state);
    expect(statuses).toEqual(['online', 'offline']);
  });

  it('delivers an SOS raised during a link cut after reconnect, with the last position', async () => {
    const agent = await startAgent();
    await waitFor(() => agent.connected, 10_000, 'connect');
    await agent.report({ ts: Date.now() - 1000, lat: 22.5431, lon: 114.0579 });
    proxy.cut();
    await waitFor(() => !agent.connected, 5000, 'link down');
    await agent.sos('driver pressed SOS');
    expect(agent.stats.queued).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(broker.of(UNIT, 'alarm')).toHaveLength(0);
    proxy.restore();
    await waitFor(() => broker.of(UNIT, 'alarm').length >= 1, 10_000, 'SOS');
    const sos = AlarmMessageSchema.parse(broker.of(UNIT, 'alarm')[0]);
    expect(sos).toMatchObject({ unitId: UNIT, type: 'sos', message: 'driver pressed SOS', lat: 22.5431, lon: 114.0579 });
  });

  it('acknowledges commands: ok for handled ones, ok false with a code and a reason for unhandled, unknown and invalid ones', async () => {
    const agent = await startAgent();
    const seen: string[] = [];
    agent.on('command', (cmd) => seen.push(cmd.type));
    agent.handleCommand('stream.start', () => 'publishing');
    agent.handleCommand('stream.stop', () => {
      throw new Error('camera busy');
    });
    await waitFor(() => agent.connected, 10_000, 'connect');
    await new Promise((r) => setTimeout(r, 100)); // SUBACK
    const ts = Date.now();
    await broker.publish(topics.cmd(UNIT), { id: 'c1', ts, type: 'stream.start', streamId: 'car-7-front' });
    await broker.publish(topics.cmd(UNIT), { id: 'c2', ts, type: 'dispatch', lat: 22.55, lon: 114.06, note: 'fire at the market' });
    await broker.publish(topics.cmd(UNIT), { id: 'c3', ts, type: 'self-destruct' });
    await broker.publish(topics.cmd(UNIT), { id: 'c4', ts, type: 'dispatch', lat: 'north' });
    await broker.publish(topics.cmd(UNIT), { id: 'c5', ts, type: 'stream.stop' });
    await broker.publish(topics.cmd(UNIT), 'not json');
    await waitFor(() => broker.of(UNIT, 'cmd/ack').length >= 5, 10_000, 'five acks');
    const acks = new Map(
      broker
        .of(UNIT, 'cmd/ack')
        .map((a) => CommandAckSchema.parse(a))
        .map((a) => [a.id, a]),
    );
    expect(acks.get('c1')).toMatchObject({ ok: true, message: 'publishing' });
    // a dispatch nobody on this unit takes: never "ok", or the hub would think someone saw it
    expect(acks.get('c2')).toMatchObject({ ok: false, code: 'unsupported_command' });
    expect(acks.get('c3')).toMatchObject({ ok: false, code: 'unsupported_command', message: expect.stringContaining('unknown command type') });
    expect(acks.get('c4')).toMatchObject({ ok: false, code: 'invalid_command', message: expect.stringContaining('lat') });
    expect(acks.get('c5')).toMatchObject({ ok: false, code: 'failed', message: 'camera busy' });
    expect(seen).toEqual(['stream.start', 'dispatch', 'stream.stop']);
    expect(agent.stats.commands).toBe(6);
  });

  it('acks a dispatch on receipt (delivered) and sends the person’s answer apart, when they give it', async () => {
    const agent = await startAgent();
    let answer!: (d: DispatchDecision) => void;
    const shown: DispatchOrder[] = [];
    onDispatch(agent, (order) => {
      shown.push(order);
      return new Promise<DispatchDecision>((r) => (answer = r));
    });
    await waitFor(() => agent.connected, 10_000, 'connect');
    await new Promise((r) => setTimeout(r, 100)); // SUBACK
    await broker.publish(topics.cmd(UNIT), { id: 'd1', ts: Date.now(), type: 'dispatch', incidentId: '7', lat: 22.55, lon: 114.06, note: 'fire at the market' });
    await waitFor(() => broker.of(UNIT, 'cmd/ack').length >= 1, 10_000, 'the ack');
    expect(CommandAckSchema.parse(broker.of(UNIT, 'cmd/ack')[0])).toMatchObject({ id: 'd1', ok: true });
    expect(shown.map((o) => o.note)).toEqual(['fire at the market']);
    expect(broker.of(UNIT, 'cmd/answer')).toEqual([]); // nobody has answered yet
    answer({ accepted: false, reason: 'flat tyre' });
    await waitFor(() => broker.of(UNIT, 'cmd/answer').length >= 1, 10_000, 'the answer');
    expect(DispatchAnswerSchema.parse(broker.of(UNIT, 'cmd/answer')[0])).toMatchObject({ id: 'd1', accepted: false, reason: 'flat tyre' });
  });

  it('reports a wrong secret as an auth error and stops retrying', async () => {
    const agent = await startAgent({ secret: 'wrong', reconnectMs: 50 });
    const error = await new Promise<Error & { code?: string }>((resolve) => agent.once('authError', resolve));
    expect(error.code).toBe('HUB_ERR_AGENT_AUTH');
    expect(error.message).toMatch(/refused unit "car-7".*issue a new credential/);
    expect(agent.authError).toBe(error);
    await new Promise((r) => setTimeout(r, 500)); // ten reconnect periods
    expect(broker.refusedConnects).toBe(1);
    expect(agent.connected).toBe(false);
  });

  it('connects over MQTT-over-WebSocket (ws://host/mqtt) as browsers and some gateways do', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server, path: '/mqtt' });
    wss.on('connection', (socket) => broker.aedes.handle(createWebSocketStream(socket) as never));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const agent = await startAgent({ broker: `ws://127.0.0.1:${(server.address() as { port: number }).port}/mqtt` });
      await agent.report({ ts: Date.now() - 1000, lat: 22.54, lon: 114.05 });
      await waitFor(() => received().ts.length === 1 && agent.stats.acked === 1, 10_000, 'a position over WebSocket');
      await agent.close();
    } finally {
      wss.close();
      server.close();
    }
  });
});
