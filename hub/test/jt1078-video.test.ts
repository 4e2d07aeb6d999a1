// JT/T 1078 live video from a vehicle terminal against a real hub: the wall's start (REST) sends
// 0x9101 naming the media port, the simulated terminal's camera pushes H.264 there as Table 19
// packets, and a WHEP viewer receives it from the SFU (no transcoding); nobody watching → 0x9102.
// Garbage between packets is refused and counted while the frames go on; a stream of an unknown
// SIM, or of a channel nobody asked for, is refused. Each channel is a stream of its own.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, StreamStartResponse, Unit } from '@hub/config';
import { GeneralResult, MessageId, RegistrationResult, TerminalCamera, type LiveVideoControl, type LiveVideoRequest } from '@hub/jt808';
import { fleetTerminals, provisionTerminals, startJt808Fleet } from '@hub/edge-agent';
import { Jt808Terminal } from '../../test-support/jt808-terminal';
import { eventually, withTestHub, ADMIN_TOKEN, type TestHub } from '../../test-support/test-hub';
import { RTCPeerConnection, useH264, useOPUS } from 'werift';
import { signal, viewStream, type Viewer } from '../../test-support/webrtc-peers';

let t: TestHub;
const SETTINGS = { 'media.idleStopSeconds': 3, 'media.startTimeoutSeconds': 20 };

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A terminal unit, registered and authenticated. */
async function terminalUnit(id: string, phone: string, channels?: number[], edition?: 2013 | 2019): Promise<Jt808Terminal> {
  const created = await t.api<Unit>('POST', '/api/units', { id, name: `Truck ${id}`, type: 'vehicle', jt808: { terminalId: phone, channels } });
  expect(created.status).toBe(201);
  expect(created.body.jt808?.channels).toEqual(channels ?? [1]);
  const terminal = await Jt808Terminal.connect({ port: t.hub.jt808Port!, phone, edition });
  closers.push(() => terminal.close());
  const registered = await terminal.register();
  expect(registered.result).toBe(RegistrationResult.ok);
  expect((await terminal.authenticate(registered.authCode!)).result).toBe(GeneralResult.ok);
  return terminal;
}

const request = (terminal: Jt808Terminal, channel: number) =>
  terminal.next((m) => (m.messageId === MessageId.LiveVideoRequest && m.body.channel === channel ? (m.body as LiveVideoRequest) : undefined), 20_000);
const control = (terminal: Jt808Terminal, channel: number) =>
  terminal.next((m) => (m.messageId === MessageId.LiveVideoControl && m.body.channel === channel ? (m.body as LiveVideoControl) : undefined), 20_000);

async function start(unitId: string, channel?: number): Promise<StreamStartResponse> {
  const res = await t.api<StreamStartResponse>('POST', `/api/streams/${unitId}/start${channel ? `?channel=${channel}` : ''}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function view(whep: string): Promise<Viewer> {
  const viewer = await viewStream(`http://127.0.0.1:${t.hub.httpPort}${whep}`, ADMIN_TOKEN, 'h264');
  expect(viewer.res.status).toBe(201);
  closers.push(() => viewer.close());
  return viewer;
}

const packetsPast = (viewer: Viewer, n: number, what: string) => eventually(async () => viewer.counter.packets > n, 30_000, what);

describe('JT/T 1078 live video', () => {
  withTestHub(SETTINGS, (h) => (t = h));

  it("the wall's start sends 0x9101 with the media port; the terminal's H.264 reaches a WHEP viewer; nobody watching sends 0x9102", async () => {
    const terminal = await terminalUnit('truck-v1', '13822220001');
    const started = start('truck-v1');
    const asked = await request(terminal, 1);
    expect(asked).toMatchObject({ serverAddress: '127.0.0.1', tcpPort: t.hub.jt1078Port, channel: 1, streamType: 0 });
    const { streamId, state, whep, channel } = await started;
    expect([state, channel]).toEqual(['started', 1]);
    const viewer = await view(whep);
    await packetsPast(viewer, 60, 'H.264 from the terminal at the viewer');
    expect(viewer.counter.mimeType.toLowerCase()).toBe('video/h264');
    expect(await t.metric('hub_jt1078_frames_total', 'kind="video",fate="forwarded"')).toBeGreaterThan(10);

    await viewer.close();
    const stop = await control(terminal, 1);
    expect(stop).toMatchObject({ command: 0, closeType: 0 });
    await eventually(async () => !t.hub.media!.router.producers.has(streamId), 15_000, 'the stream gone after 0x9102');
    await eventually(async () => terminal.cameras.size === 0, 15_000, "the terminal's camera stopped");
  });

  it("the terminal's G.711A sound (HiSilicon-framed) reaches a WHEP viewer as Opus, a tone and not silence", async () => {
    const terminal = await terminalUnit('truck-a1', '13822220021');
    const started = start('truck-a1');
    // 0x9101 asks for picture and sound (data type 0)
    expect(await request(terminal, 1)).toMatchObject({ dataType: 0 });
    const { whep } = await started;
    const pc = new RTCPeerConnection({ codecs: { video: [useH264()], audio: [useOPUS()] }, iceAdditionalHostAddresses: ['127.0.0.1'], iceUseIpv6: false });
    closers.push(() => pc.close());
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const sound = { packets: 0, loud: 0, mimeType: '' };
    pc.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((rtp) => {
        if (track.kind !== 'audio') return;
        sound.packets++;
        sound.mimeType = track.codec?.mimeType ?? '';
        // Opus codes silence in a few bytes (DTX, comfort noise); a 440 Hz tone at 24 kbit/s takes tens
        if (rtp.payload.length > 20) sound.loud++;
      }),
    );
    expect((await signal(pc, `http://127.0.0.1:${t.hub.httpPort}${whep}`, ADMIN_TOKEN)).status).toBe(201);
    await eventually(async () => sound.loud > 25, 30_000, 'Opus packets of the tone at the viewer');
    expect(sound.mimeType.toLowerCase()).toBe('audio/opus');
    expect(await t.metric('hub_jt1078_frames_total', 'kind="audio",fate="forwarded"')).toBeGreaterThan(10);
    expect(terminal.cameras.get(1)!.audioFrames).toBeGreaterThan(10);
  });

  it("garbage between packets is refused and counted, and the frames go on (a 2019 terminal: its SIM is its number's last 12 digits)", async () => {
    const terminal = await terminalUnit('truck-v2', '8613822220002', undefined, 2019);
    const { whep } = await start('truck-v2');
    const viewer = await view(whep);
    await packetsPast(viewer, 20, 'the first frames');
    const camera = terminal.cameras.get(1)!;
    const before = await t.metric('hub_jt1078_refused_total', 'reason="bad_sync"');
    for (let i = 0; i < 5; i++) {
      camera.write(Buffer.from('deadbeef7e7e0102030405060708090a', 'hex'));
      await new Promise((r) => setTimeout(r, 200));
    }
    await eventually(async () => (await t.metric('hub_jt1078_refused_total', 'reason="bad_sync"')) >= before + 5, 15_000, 'each run of garbage counted');
    const after = viewer.counter.packets;
    await packetsPast(viewer, after + 60, 'frames after the garbage');
  });

  it('a stream from an unknown SIM, or of a channel nobody asked for, is refused and counted', async () => {
    const unknown = await TerminalCamera.start({ host: '127.0.0.1', port: t.hub.jt1078Port!, sim: '19900000000', channel: 1 });
    closers.push(() => unknown.stop());
    await unknown.closed;
    expect(await t.metric('hub_jt1078_refused_total', 'reason="unknown_stream"')).toBeGreaterThanOrEqual(1);

    await terminalUnit('truck-v3', '13822220003');
    const unasked = await TerminalCamera.start({ host: '127.0.0.1', port: t.hub.jt1078Port!, sim: '13822220003', channel: 3 });
    closers.push(() => unasked.stop());
    await unasked.closed;
    expect(await t.metric('hub_jt1078_refused_total', 'reason="not_requested"')).toBeGreaterThanOrEqual(1);
  });

  it('each logical channel is a stream of the unit: channel 2 has its own stream id and 0x9101', async () => {
    const terminal = await terminalUnit('truck-v4', '13822220004', [1, 2]);
    const first = await start('truck-v4');
    const second = start('truck-v4', 2);
    expect((await request(terminal, 2)).channel).toBe(2);
    const { streamId, channel, whep } = await second;
    expect(channel).toBe(2);
    expect(streamId).not.toBe(first.streamId);
    const viewer = await view(whep);
    await packetsPast(viewer, 30, "channel 2's frames");
    expect([...terminal.cameras.keys()].sort()).toEqual([1, 2]);
  });

  it("the simulator's terminals (npm run simulate -- --protocol jt808) answer 0x9101 with their test pattern", async () => {
    const [sim] = fleetTerminals({ units: 1, idPrefix: 'sim-v', phoneBase: 13_822_229_000 });
    await provisionTerminals({ hub: t.http, adminToken: ADMIN_TOKEN }, [{ id: sim!.unitId, name: 'Simulated truck', type: 'vehicle', jt808: { terminalId: sim!.phone } }]);
    const fleet = startJt808Fleet({ terminals: [sim!], host: '127.0.0.1', port: t.hub.jt808Port!, staggerMs: 0 });
    closers.push(() => fleet.close());
    await eventually(async () => fleet.stats().connected === 1, 20_000, 'the simulated terminal connected');
    const viewer = await view((await start(sim!.unitId)).whep);
    await packetsPast(viewer, 30, "the simulated terminal's frames");
  });

  it('a channel the unit does not have is 404 HUB_ERR_CAMERA_NOT_FOUND; an MQTT unit has channel 1 only', async () => {
    await terminalUnit('truck-v5', '13822220005', [1, 2]);
    expect((await t.api<ApiError>('POST', '/api/streams/truck-v5/start?channel=3')).body.code).toBe('HUB_ERR_CAMERA_NOT_FOUND');
    expect((await t.api<Unit>('POST', '/api/units', { id: 'van-v6', name: 'Van', type: 'vehicle' })).status).toBe(201);
    const res = await t.api<ApiError>('POST', '/api/streams/van-v6/start?channel=2');
    expect([res.status, res.body.code]).toEqual([404, 'HUB_ERR_CAMERA_NOT_FOUND']);
  });
});

// the in-process publisher takes the same path as WHIP, so mediasoup's worker takes the stream unchanged
describe('JT/T 1078 live video with the mediasoup engine', () => {
  withTestHub({ ...SETTINGS, 'media.engine': 'mediasoup', 'media.additionalHostAddresses': ['127.0.0.1'] }, (h) => (t = h));

  it("the terminal's H.264 reaches a WHEP viewer through mediasoup's worker", async () => {
    await terminalUnit('truck-m1', '13822220011');
    const viewer = await view((await start('truck-m1')).whep);
    await packetsPast(viewer, 60, 'H.264 from the terminal at the viewer');
    expect(viewer.counter.mimeType.toLowerCase()).toBe('video/h264');
  });
});
