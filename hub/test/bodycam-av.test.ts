// The body cam's sound and layers end to end, in Debian's Chromium with the fake camera and
// its fake microphone (a beep): the viewer receives the Opus audio through the SFU (samples and
// energy rising), muted until asked; a microphone that is refused leaves video with a notice;
// a simulcast body cam feeds a small viewer a small layer and a large one the full size, and the
// small one moves up without reconnecting when it asks for more, on both media engines.
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN, eventually, type TestHub } from '../../test-support/test-hub';
import { bodycamState, bodycamVideo, framesBeyond, goLive, openBodycam, openViewer, setViewerMaxHeight, viewerStats, withBodyCamWorld } from './support/media-pages';

let t: TestHub;
let cams: BrowserContext;
let walls: BrowserContext;
const here = { latitude: 22.5431, longitude: 114.0579 };

interface StreamRow {
  streamId: string;
  mimeType: string | null;
  audioMimeType: string | null;
  layers: { rid: string | null; width: number | null; height: number | null; bitrateKbps: number }[];
  consumers: { id: string; layer: string | null; maxHeight: number | null }[];
}

withBodyCamWorld(here, (world) => ({ t, cams, walls } = world));

async function stream(streamId: string): Promise<StreamRow | undefined> {
  const res = await t.api<StreamRow[]>('GET', '/api/streams');
  return res.body.find((s) => s.streamId === streamId);
}

/** The viewer's frame height once it has settled on `want` (± a few pixels), with frames still decoding. */
async function heightSettles(view: Page, want: number, what: string) {
  return eventually(
    async () => {
      const s = await viewerStats(view);
      return Math.abs(s.height - want) <= 8 && s.fps > 0 ? s : undefined;
    },
    25_000,
    what,
  );
}

describe('body cam sound through the SFU', () => {
  it('carries the microphone as Opus to the viewer, muted until the viewer unmutes it', async () => {
    const cred = await t.createUnit('bc-audio', 'bodycam');
    const cam = await cams.newPage();
    await openBodycam(cam, t.http, cred);
    const streamId = await goLive(cam);
    expect((await bodycamState(cam))?.audio).toBe(true);
    await eventually(async () => ((await bodycamVideo(cam)).audioPackets > 20 ? true : undefined), 15_000, 'audio leaving the body cam');
    const row = await eventually(
      async () => {
        const r = await stream(streamId);
        return r?.audioMimeType ? r : undefined;
      },
      15_000,
      'the stream’s audio at the SFU',
    );
    expect(row.audioMimeType?.toLowerCase()).toBe('audio/opus');

    const view = await walls.newPage();
    await openViewer(view, t.http, ADMIN_TOKEN, streamId);
    await framesBeyond(view, 10, 'frames at the viewer');
    const first = await eventually(
      async () => {
        const s = await viewerStats(view);
        return (s.audio?.totalSamplesReceived ?? 0) > 0 ? s.audio : undefined;
      },
      20_000,
      'audio samples at the viewer',
    );
    expect(first!.codec?.toLowerCase()).toBe('audio/opus');
    // the SFU's sender reports carry the publisher's clock, mapped to the viewer's RTP time: each
    // report's NTP time is close to when it arrived, for audio and video (the audio's lag
    // includes what Chromium's publisher counts as capture delay), so Chromium can lip-sync
    const lag = await eventually(
      async () => {
        const l = (await viewerStats(view)).senderReportLagMs;
        return l?.audio !== undefined && l.video !== undefined ? l : undefined;
      },
      20_000,
      'sender reports of audio and video at the viewer',
    );
    console.log(`sender report lag at the viewer, ms: ${JSON.stringify(lag)}`);
    // the same clock, not one off by seconds or hours; the lag itself grows on a loaded machine
    // (the NTP fraction's exact encoding is checked in media-server/test/sender-clock.test.ts)
    expect(Math.abs(lag.audio!)).toBeLessThan(5000);
    expect(Math.abs(lag.video!)).toBeLessThan(5000);
    // samples keep coming while muted; Chromium measures the level after the element's volume,
    // so a muted viewer reads level 0 (the wall's tiles are muted: nothing plays)
    await eventually(
      async () => {
        const s = await viewerStats(view);
        return s.audio && s.audio.totalSamplesReceived > first!.totalSamplesReceived + 48_000 ? s.audio : undefined;
      },
      20_000,
      'a second more of audio samples',
    );
    expect(await view.evaluate(() => (document.getElementById('video') as HTMLVideoElement).muted)).toBe(true);
    expect((await viewerStats(view)).audio!.totalAudioEnergy).toBe(0);

    // the sound button unmutes it, and the fake microphone's beep is heard: level and energy rise
    await view.waitForSelector('#sound:not([hidden])', { timeout: 10_000 });
    await view.click('#sound');
    expect(await view.evaluate(() => (document.getElementById('video') as HTMLVideoElement).muted)).toBe(false);
    expect(await view.getAttribute('#sound', 'data-muted')).toBe('false');
    const heard = await eventually(
      async () => {
        const s = await viewerStats(view);
        return s.audio && s.audio.totalAudioEnergy > 0 ? s.audio : undefined;
      },
      20_000,
      'sound energy at the unmuted viewer',
    );
    await eventually(
      async () => {
        const s = await viewerStats(view);
        return s.audio && s.audio.totalAudioEnergy > heard.totalAudioEnergy && s.audio.totalSamplesReceived > heard.totalSamplesReceived ? true : undefined;
      },
      20_000,
      'more sound energy',
    );
    await view.close();
    await cam.close();
  });

  it('goes live with video only, and says so, when the microphone is refused', async () => {
    const cred = await t.createUnit('bc-nomic', 'bodycam');
    const cam = await cams.newPage();
    // the wearer refuses the microphone: getUserMedia fails whenever audio is asked for
    await cam.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c?: MediaStreamConstraints) => (c?.audio ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : original(c));
    });
    await openBodycam(cam, t.http, cred);
    const streamId = await goLive(cam);
    expect(await cam.textContent('[data-testid="mic-refused"]')).toMatch(/microphone|麦克风/i);
    expect((await bodycamState(cam))?.audio).toBe(false);
    const view = await walls.newPage();
    await openViewer(view, t.http, ADMIN_TOKEN, streamId);
    await framesBeyond(view, 10, 'frames of the video-only body cam');
    expect((await stream(streamId))?.audioMimeType).toBeNull();
    await view.close();
    await cam.close();
  });
});

for (const engine of ['werift', 'mediasoup'] as const)
  describe(`simulcast body cam (${engine} engine)`, () => {
    // the mediasoup engine's own hub and browsers, for this last describe (t, cams, walls point to them from here on)
    if (engine === 'mediasoup') withBodyCamWorld(here, (world) => ({ t, cams, walls } = world), { 'media.engine': 'mediasoup', 'media.workers': 1 });
    simulcastLayersTest();
  });

function simulcastLayersTest(): void {
  it('feeds each viewer the layer its height asks for, and moves a viewer up without reconnecting', async () => {
    const cred = await t.createUnit('bc-layers', 'bodycam');
    const cam = await cams.newPage();
    await openBodycam(cam, t.http, cred, '?simulcast=1');
    const streamId = await goLive(cam);
    const sent = await eventually(
      async () => {
        const v = await bodycamVideo(cam);
        return v.layers.filter((l) => l.framesEncoded > 0).length >= 2 ? v : undefined;
      },
      20_000,
      'two or more layers leaving the body cam',
    );
    const full = sent.height;
    const smallest = Math.min(...sent.layers.filter((l) => l.framesEncoded > 0).map((l) => l.height));
    expect(smallest).toBeLessThan(full);

    const small = await walls.newPage();
    await openViewer(small, t.http, ADMIN_TOKEN, streamId, 120);
    const large = await walls.newPage();
    await openViewer(large, t.http, ADMIN_TOKEN, streamId, full);
    const s = await heightSettles(small, smallest, `the small viewer at the smallest layer (${smallest} px)`);
    const l = await heightSettles(large, full, `the large viewer at full size (${full} px)`);
    expect(s.height).toBeLessThan(l.height);

    const row = (await stream(streamId))!;
    expect(row.layers.length).toBeGreaterThanOrEqual(2);
    expect(row.layers.map((x) => x.height)).toContain(full);
    expect(row.consumers.map((c) => c.maxHeight).sort()).toEqual([120, full].sort());

    // the small tile grows: the same connection moves to the full layer, frames keep coming
    const before = s.framesDecoded;
    await setViewerMaxHeight(small, full);
    const grown = await heightSettles(small, full, 'the small viewer moved up to full size');
    expect(grown.framesDecoded).toBeGreaterThan(before);
    expect(await small.evaluate(() => (window as unknown as { hubViewer: { states: string[] } }).hubViewer.states)).toEqual(['connecting', 'live']);
    await small.close();
    await large.close();
    await cam.close();
  });
}
