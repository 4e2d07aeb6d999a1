// A body cam in trouble, as the incident tests need one: the edge agent with its on-demand
// camera (ffmpeg's H.264 test pattern), one position, then SOS; resolves with the incident the
// hub's linkage opened for it. The agent and camera are closed by the test's closers.
import type { Incident } from '@hub/config';
import { UnitAgent, attachOnDemandVideo } from '@hub/edge-agent';
import { eventually, type TestHub } from '../../../test-support/test-hub';

export async function sosBodycam(t: TestHub, unitId: string, closers: (() => Promise<void>)[]): Promise<{ agent: UnitAgent; incident: Incident }> {
  const { secret } = await t.createUnit(unitId, 'bodycam');
  const agent = await UnitAgent.start({ unitId, secret, broker: t.mqtt, reconnectMs: 100 });
  const video = attachOnDemandVideo(agent, { hubUrl: t.http, unitId, secret, codec: 'h264', additionalHostAddresses: ['127.0.0.1'] });
  closers.push(
    () => agent.close(),
    () => video.close(),
  );
  await eventually(async () => agent.connected, 10_000, 'agent connected');
  await agent.report({ ts: Date.now(), lat: 22.54, lon: 114.05, speed: 1, accuracy: 5 });
  await agent.sos('attacked');
  const incident = await eventually(async () => (await t.api<Incident[]>('GET', '/api/incidents?state=open')).body.find((i) => i.unitId === unitId), 15_000, 'incident');
  return { agent, incident };
}
