// Wall benchmark: the hub with N units publishing at 1 Hz (bench/wall-publisher.ts processes:
// one MQTT connection per unit, as bench/ingest.ts's load workers, publishing once all are
// connected, each unit driving a small circle), and the wall's live map in
// headless Chromium (WebGL2 on SwiftShader, a software renderer: a floor, not what a wall's
// GPU gives). Prints, for each window, the page's frames per second, the map's repaints and the
// time inside MapLibre's render call, the main thread's busy share and the delay from a
// position's publish to the first frame drawn with it. Asserts nothing.
//
//   npm run bench:wall -- --units 20000 --seconds 30 --feed synthetic
//   npm run bench:wall -- --units 2000 --seconds 30 --zoom 14
//   npm run bench:wall -- --units 20000 --seconds 10 --feed synthetic --modes idle,pan --variants all,no-units,no-basemap,bare
//
// Options: --units N, --rate positions/s per unit (default 1), --seconds T (each measured window),
// --warmup S (publishing before measuring; default 10), --workers W (load processes, default 2),
// --zoom Z (map zoom; default 12: the whole simulated city, clustered), --width/--height
// (viewport; default 1920×1080), --dpr (devicePixelRatio; default 1), --page (default
// /maptest.html), --query (added to the page's query: unitsRenderer=layer|overlay,
// pixelRatio=0.5), --feed hub|synthetic (synthetic: this process serves the live feed itself, in
// the hub's LiveBatch shape, at the full rate; the hub still serves the page, units and basemap.
// For when the hub cannot carry the load here), --modes idle,pan,repaint (idle: the map at rest;
// pan: panned back and forth continuously, 400 px per 2 s, as a coordinator drags it; repaint:
// redrawn every frame with the camera still), --variants (layers turned off one at a time, see
// applyVariant), --gl default|swiftshader|swiftshader-vulkan|llvmpipe|"<flags>" (Chromium's GL
// flags instead of the tests' --disable-gpu), --trace (where the renderer's main thread and the
// GPU process spent each window), --select (click a unit first: its popup and trail are shown).
import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createServer } from 'node:http';
import { Server as SocketServer } from 'socket.io';
import type { PositionOut } from '@hub/config';
import pg from 'pg';
import { buildWall } from '@hub/wall-ui';
import { chromium } from 'playwright-core';
import { artifactDir, CHROMIUM_PATH, launchChromium } from '../test-support/browser';
import { freePort } from '../test-support/ports';
import type { PublisherMessage, PublisherReport } from './wall-publisher';
import { spawnBenchHub, treeCpuSeconds, waitForOutput } from './processes';
import { insertUnits } from './load';

const { values: args } = parseArgs({
  options: {
    units: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    zoom: { type: 'string', default: '12' },
    width: { type: 'string', default: '1920' },
    height: { type: 'string', default: '1080' },
    page: { type: 'string', default: '/maptest.html' },
    feed: { type: 'string', default: 'hub' },
    dpr: { type: 'string', default: '1' },
    gl: { type: 'string', default: 'default' },
    variants: { type: 'string', default: 'all' },
    modes: { type: 'string', default: 'idle,pan' },
    query: { type: 'string', default: '' },
    trace: { type: 'boolean', default: false },
    select: { type: 'boolean', default: false },
  },
});
const UNITS = Number(args.units);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const WORKERS = Number(args.workers);
const ZOOM = Number(args.zoom);
/** hub: positions over MQTT through the hub's ingest and live feed; synthetic: this process plays the live feed (same LiveBatch shape), so the wall gets the full rate whatever the hub keeps up with */
const FEED = args.feed === 'synthetic' ? 'synthetic' : 'hub';
const TOKEN = 'bench-admin-token-0000000000';
/** the simulator's default centre, where the offline basemap's sample city is */
const CENTRE = { lat: 22.54, lon: 114.05 };
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The tests' Chromium flags without --disable-gpu, for --gl. */
const BASE_FLAGS_NO_GPU = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** --gl NAME: GL backends this machine's Chromium has (else --gl takes the flags themselves) */
const GL_ARGS: Record<string, string[]> = {
  swiftshader: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  'swiftshader-vulkan': ['--use-angle=vulkan', '--use-vulkan=swiftshader', '--enable-unsafe-swiftshader'],
  llvmpipe: ['--use-angle=gl', '--enable-unsafe-swiftshader'],
  'llvmpipe-egl': ['--use-angle=gl-egl', '--enable-unsafe-swiftshader'],
};

/**
 * --variants: layers turned off (or swapped) one at a time, to see what a repaint's time goes to.
 * A string, run in the page: tsx would add helpers to a compiled function that the page lacks.
 * all: the map as the wall draws it; no-units: no unit layers; circles: units as plain circles,
 * not rotated icons (only with the old symbol layer); no-trails (only with the old line layer: trails
 * are drawn by the units layer now); no-basemap: background only
 * under the units; no-geofences; bare: the background alone; only:PREFIX: the background and the
 * layers whose id starts with PREFIX; hide:PREFIX: all but those; undo: back to all.
 */
const applyVariant = `function (map, variant) {
  var style = map.getStyle();
  var hidden = window.__benchHidden || (window.__benchHidden = []);
  var overlay = document.querySelector('.hub-units-overlay');
  if (variant === 'undo') {
    if (overlay) overlay.style.visibility = '';
    for (var i = 0; i < hidden.length; i++) if (map.getLayer(hidden[i])) map.setLayoutProperty(hidden[i], 'visibility', 'visible');
    hidden.length = 0;
    if (map.getLayer('bench-unit-circles')) map.removeLayer('bench-unit-circles');
    return;
  }
  var hide = function (test) {
    for (var k = 0; k < style.layers.length; k++) {
      var id = style.layers[k].id;
      if (test(id) && (map.getLayoutProperty(id, 'visibility') !== 'none')) { map.setLayoutProperty(id, 'visibility', 'none'); hidden.push(id); }
    }
  };
  var unitsOff = variant === 'no-units' || variant === 'bare' || (variant.indexOf('only:') === 0 && 'unit-gl'.indexOf(variant.slice(5)) !== 0) || (variant.indexOf('hide:') === 0 && 'unit-gl'.indexOf(variant.slice(5)) === 0);
  if (overlay && unitsOff) overlay.style.visibility = 'hidden';
  if (variant === 'no-units') hide(function (id) { return id.indexOf('unit-') === 0; });
  if (variant === 'no-trails') hide(function (id) { return id === 'trails'; });
  if (variant === 'no-geofences') hide(function (id) { return id.indexOf('geofences') === 0; });
  if (variant === 'no-basemap') hide(function (id) { return id.indexOf('basemap-') === 0 && id !== 'basemap-background'; });
  if (variant === 'bare') hide(function (id) { return id !== 'basemap-background'; });
  if (variant.indexOf('only:') === 0) hide(function (id) { return id !== 'basemap-background' && id.indexOf(variant.slice(5)) !== 0; });
  if (variant.indexOf('hide:') === 0) hide(function (id) { return id.indexOf(variant.slice(5)) === 0; });
  if (variant === 'circles' && map.getLayer('unit-symbols')) {
    hide(function (id) { return id === 'unit-symbols'; });
    map.addLayer({ id: 'bench-unit-circles', type: 'circle', source: 'units', filter: ['!', ['has', 'point_count']], paint: { 'circle-radius': 6, 'circle-color': ['match', ['get', 's'], 'alarming', '#ff3b30', 'offline', '#8a949e', 'assigned', '#3d8bff', '#2ecc71'] } });
  }
}`;

/** --trace: where the renderer's main thread and the GPU process spent the window, by event name (complete events, self-nesting not removed). */
function printTrace(buf: Buffer): void {
  const { traceEvents } = JSON.parse(buf.toString()) as { traceEvents: { name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }[] };
  const threads = new Map<string, string>();
  for (const e of traceEvents) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const totals = new Map<string, number>();
  for (const e of traceEvents) {
    if (e.ph !== 'X' || !e.dur) continue;
    const thread = threads.get(`${e.pid}:${e.tid}`) ?? '?';
    if (!/CrRendererMain|CrGpuMain|VizCompositor|Compositor/.test(thread)) continue;
    const key = `${thread} · ${e.name}`;
    totals.set(key, (totals.get(key) ?? 0) + e.dur / 1000);
  }
  console.log('  trace, ms per thread · event (top 25):');
  for (const [k, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${ms.toFixed(0).padStart(7)}  ${k}`);
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

/** Our own child processes that are not the hub or the load workers: Chromium. */
function browserCpuSeconds(exclude: (number | undefined)[]): number {
  let total = 0;
  const tasks = readdirSync(`/proc/${process.pid}/task`);
  for (const t of tasks) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${process.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const c of children) if (!exclude.includes(Number(c))) total += treeCpuSeconds(Number(c));
  }
  return total;
}

interface PageFigures {
  frames: number;
  ms: number;
  intervals: number[];
  mapRenders: number;
  delays: number[];
  sourceUpdates: number;
  features: number;
  buildMs: number;
  setDataMs: number;
  storeUnits: number;
  positionsApplied: number;
  longTaskMs: number;
}

async function main(): Promise<void> {
  await buildWall({ quiet: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-wall-bench-'));
  chmodSync(dataDir, 0o755);
  const { hub, httpPort, mqttPort, pgPort } = await spawnBenchHub({ dataDir, token: TOKEN, env: { HUB_BASEMAP__ZOOM: String(ZOOM) } });
  const workers: ChildProcess[] = [];
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    await waitForOutput(hub, 'Hub ready', 120_000);
    const http = `http://127.0.0.1:${httpPort}`;
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL ?? `postgres://hub:hub-embedded@127.0.0.1:${pgPort}/hub` });
    await db.connect();
    const units = Array.from({ length: UNITS }, (_, i) => ({ id: `w-${i}`, secret: `bench-secret-${i}` }));
    await insertUnits(db, units, (i) => (i % 3 === 0 ? 'bodycam' : 'vehicle'));
    await db.end();

    let feedUrl = '';
    let synthetic: { sent: number; close(): void; start(seconds: number): void } | undefined;
    if (FEED === 'synthetic') {
      const feedPort = await freePort();
      const server = createServer();
      const io = new SocketServer(server, { path: '/socket.io', serveClient: false });
      server.listen(feedPort, '127.0.0.1');
      feedUrl = `http://127.0.0.1:${feedPort}`;
      const state = { sent: 0, timer: undefined as NodeJS.Timeout | undefined };
      synthetic = {
        get sent() {
          return state.sent;
        },
        start(seconds: number) {
          const endAt = Date.now() + seconds * 1000;
          let tick = 0;
          // every 100 ms (the hub's live.flushMs default) a tenth of the units: each unit once a second
          state.timer = setInterval(() => {
            const now = Date.now();
            if (now > endAt) return clearInterval(state.timer);
            const positions: PositionOut[] = [];
            for (let i = tick % 10; i < units.length; i += 10) {
              const a = (i * 2.399963) % (2 * Math.PI);
              const d = Math.sqrt(((i * 7919) % 1000) / 1000) * 0.05;
              const r = 0.001 + ((i * 31) % 30) / 10_000;
              const w = (now / 60_000) * 2 * Math.PI + a;
              positions.push({
                unitId: units[i]!.id,
                ts: new Date(now).toISOString(),
                lat: CENTRE.lat + d * Math.sin(a) + r * Math.sin(w),
                lon: CENTRE.lon + d * Math.cos(a) + r * Math.cos(w),
                speed: 8.3,
                heading: ((((-w * 180) / Math.PI) % 360) + 360) % 360,
                accuracy: 5,
                alt: null,
                battery: 80,
                flags: null,
              });
            }
            tick++;
            state.sent += positions.length;
            io.emit('batch', { positions, alarms: [], statuses: [] });
          }, 100);
        },
        close() {
          clearInterval(state.timer);
          void io.close();
          server.close();
        },
      };
    }
    // Chromium: the tests' flags (launchChromium), or with --gl the same flags but the GL backend
    // chosen here (no --disable-gpu), to see what the renderer costs
    const glArgs = GL_ARGS[args.gl] ?? args.gl.split(/\s+/).filter(Boolean);
    browser = args.gl === 'default' ? await launchChromium() : await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...BASE_FLAGS_NO_GPU, ...glArgs] });
    const page = await browser.newPage({ viewport: { width: Number(args.width), height: Number(args.height) }, deviceScaleFactor: Number(args.dpr) });
    page.on('pageerror', (err) => console.error('page error:', err.message));
    await page.goto(`${http}${args.page}?testHooks${args.query ? `&${args.query}` : ''}#token=${TOKEN}${feedUrl ? `&feed=${encodeURIComponent(feedUrl)}` : ''}`);
    await page.waitForFunction(() => !!window.__hubWall, undefined, { timeout: 60_000 });
    const renderer = await page.evaluate(`(() => {
      const gl = window.__hubWall.map.painter.context.gl;
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return (ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)) + ' · devicePixelRatio ' + devicePixelRatio + ' · canvas ' + window.__hubWall.map.getCanvas().width + '×' + window.__hubWall.map.getCanvas().height;
    })()`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const notBrowser = () => [hub.pid, ...workers.map((w) => w.pid)];

    const variants = args.variants.split(',').filter(Boolean);
    const modes = args.modes.split(',').filter((m): m is 'idle' | 'pan' | 'repaint' => m === 'idle' || m === 'pan' || m === 'repaint');
    const SETTLE = 3;
    const publishSeconds = WARMUP + variants.length * modes.length * (SECONDS + SETTLE) + 5;

    let connectedUnits = 0;
    let startAt = Date.now();
    let reports: Promise<Extract<PublisherReport, { type: 'done' }>>[] = [];
    if (synthetic) {
      startAt = Date.now() + 500;
      setTimeout(() => synthetic.start(publishSeconds), 500);
    } else {
      // the load: every unit connects first (minutes for 20,000 on a busy machine), then all publish
      const per = Math.ceil(units.length / WORKERS);
      const connectedAt = Date.now();
      const connected = await Promise.all(
        Array.from({ length: WORKERS }, (_, i) => {
          const w = fork(path.join(root, 'bench/wall-publisher.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          workers.push(w);
          return new Promise<number>((resolve, reject) => {
            w.once('message', (m: PublisherReport) => (m.type === 'connected' ? resolve(m.connected) : reject(new Error('unexpected'))));
            w.once('exit', (code) => reject(new Error(`publisher ${i} exited ${code}`)));
            w.send({ type: 'job', broker: `mqtt://127.0.0.1:${mqttPort}`, units: units.slice(i * per, (i + 1) * per), centre: CENTRE } satisfies PublisherMessage);
          });
        }),
      );
      connectedUnits = connected.reduce((a, b) => a + b, 0);
      console.log(`${connectedUnits} units connected in ${((Date.now() - connectedAt) / 1000).toFixed(0)} s`);
      startAt = Date.now() + 2000;
      reports = workers.map(
        (w) =>
          new Promise<Extract<PublisherReport, { type: 'done' }>>((resolve) => {
            w.on('message', (m: PublisherReport) => m.type === 'done' && resolve(m));
            w.send({ type: 'go', rate: RATE, seconds: publishSeconds, startAt } satisfies PublisherMessage);
          }),
      );
    }
    await new Promise((r) => setTimeout(r, startAt + WARMUP * 1000 - Date.now()));

    console.log(
      `\nWall: ${UNITS} units × ${RATE}/s, map at zoom ${ZOOM}, ${args.width}×${args.height} at devicePixelRatio ${args.dpr}, ${SECONDS} s per window after ${WARMUP} s of publishing, feed: ${FEED === 'hub' ? 'MQTT → hub → live feed' : 'synthetic live feed (the hub serves page, units, basemap)'}`,
    );
    console.log(`  WebGL: ${renderer} (Chromium flags: ${args.gl === 'default' ? "the tests' (--disable-gpu)" : glArgs.join(' ')})`);
    console.log(
      `  (headless Chromium on a software renderer: a floor, not what a wall's GPU gives; hub, PostgreSQL, load and browser share ${os.cpus().length} cores; load average at the start ${os.loadavg()[0]!.toFixed(1)})`,
    );
    if (args.select) {
      // a coordinator's click on a unit: its popup and its trail (a trail update repaints the map)
      const at = (await page.evaluate(`(() => {
        const h = window.__hubWall;
        const c = h.map.getCanvas().getBoundingClientRect();
        for (const u of h.drawnUnits()) {
          const p = h.map.project([u.lon, u.lat]);
          if (p.x > 100 && p.y > 100 && p.x < c.width - 100 && p.y < c.height - 100) return { x: p.x, y: p.y, id: u.id };
        }
        return null;
      })()`)) as { x: number; y: number; id: string } | null;
      if (at) await page.mouse.click(at.x, at.y);
      console.log(`  selected ${at?.id ?? 'nothing (no unit drawn on its own in view)'}`);
    }
    const metric = async (name: string) => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN;
    const rows: string[] = [];
    for (const variant of variants) {
      await page.evaluate(`(${applyVariant})(window.__hubWall.map, ${JSON.stringify(variant)})`);
      for (const mode of modes) {
        await new Promise((r) => setTimeout(r, SETTLE * 1000));
        const task0 = await metric('TaskDuration');
        const script0 = await metric('ScriptDuration');
        const cpu0 = { hub: treeCpuSeconds(hub.pid!), chrome: browserCpuSeconds(notBrowser()) };
        const t0 = Date.now();
        // as a string: tsx's transform would add helpers (__name) the page does not have
        await page.evaluate(`(() => {
          const hooks = window.__hubWall;
          hooks.stats.markerDelaysMs.length = 0;
          const b = { frames: 0, intervals: [], last: performance.now(), start: performance.now(), mapRenders: 0, longTaskMs: 0, stop: false, updates0: hooks.stats.sourceUpdates };
          window.__bench = b;
          const onRender = () => b.mapRenders++;
          hooks.map.on('render', onRender);
          // time inside MapLibre's render call (its GL commands), per repaint
          b.renderMs = [];
          const map = hooks.map;
          const orig = map._render;
          map._render = function (p) { const t = performance.now(); const r = orig.call(this, p); b.renderMs.push(performance.now() - t); return r; };
          b.off = () => { hooks.map.off('render', onRender); map._render = orig; };
          const lt = new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTaskMs += e.duration; });
          lt.observe({ type: 'longtask' });
          b.lt = lt;
          const tick = (t) => { b.frames++; b.intervals.push(t - b.last); b.last = t; if (!b.stop) requestAnimationFrame(tick); };
          requestAnimationFrame(tick);
          if (${JSON.stringify(mode)} === 'repaint') {
            // the map redrawn every frame without moving: what a repaint costs, camera still
            const again = () => { if (b.stop) return; hooks.map.triggerRepaint(); requestAnimationFrame(again); };
            requestAnimationFrame(again);
          }
          if (${JSON.stringify(mode)} === 'pan') {
            // a coordinator dragging the map: 400 px one way over 2 s, then back, continuously
            let dir = 1;
            const pan = () => { if (b.stop) return; hooks.map.panBy([400 * dir, 0], { duration: 2000, easing: (t) => t }); dir = -dir; };
            hooks.map.on('moveend', function next() { if (b.stop) { hooks.map.off('moveend', next); return; } pan(); });
            pan();
          }
        })()`);
        if (args.trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'gpu', 'cc', 'viz', 'blink', 'toplevel'] });
        await new Promise((r) => setTimeout(r, SECONDS * 1000));
        if (args.trace) printTrace(await browser.stopTracing());
        const fig = (await page.evaluate(`(() => {
          const b = window.__bench;
          b.stop = true;
          b.off();
          b.lt.disconnect();
          const hooks = window.__hubWall;
          return {
            frames: b.frames,
            ms: performance.now() - b.start,
            intervals: b.intervals,
            mapRenders: b.mapRenders,
            delays: [...hooks.stats.markerDelaysMs],
            sourceUpdates: hooks.stats.sourceUpdates - b.updates0,
            features: hooks.stats.features,
            buildMs: hooks.stats.buildMs,
            setDataMs: hooks.stats.setDataMs,
            storeUnits: hooks.store.units.size,
            positionsApplied: hooks.store.positionsApplied,
            longTaskMs: b.longTaskMs,
            renderMs: b.renderMs,
          };
        })()`)) as PageFigures & { renderMs: number[] };
        const wallMs = Date.now() - t0;
        const task = (await metric('TaskDuration')) - task0;
        const script = (await metric('ScriptDuration')) - script0;
        const cpu = { hub: treeCpuSeconds(hub.pid!) - cpu0.hub, chrome: browserCpuSeconds(notBrowser()) - cpu0.chrome };
        await page.screenshot({ path: path.join(artifactDir('wall'), `bench-${UNITS}-${variant}-${mode}.png`) }).catch(() => {});
        const intervals = [...fig.intervals].sort((a, b) => a - b);
        const delays = [...fig.delays].sort((a, b) => a - b);
        const fps = fig.frames / (fig.ms / 1000);
        const busy = (task / (wallMs / 1000)) * 100;
        console.log(`\n  [${variant}, ${mode === 'pan' ? 'panning' : mode === 'repaint' ? 'repainted every frame, camera still' : 'idle'}]`);
        console.log(
          `  page frames per second (rAF)          ${fmt(fps)}  (frame interval p50 ${fmt(pct(intervals, 50))} ms, p99 ${fmt(pct(intervals, 99))} ms, max ${fmt(intervals.at(-1) ?? NaN)} ms)`,
        );
        const renderMs = [...fig.renderMs].sort((a, b) => a - b);
        console.log(
          `  map repaints per second               ${fmt(fig.mapRenders / (fig.ms / 1000))}  (MapLibre's render call p50 ${fmt(pct(renderMs, 50))} ms, p90 ${fmt(pct(renderMs, 90))} ms, max ${fmt(renderMs.at(-1) ?? NaN)} ms)`,
        );
        console.log(`  main thread busy (CDP TaskDuration)   ${fmt(busy)}%  (script ${fmt((script / (wallMs / 1000)) * 100)}%, long tasks ${fmt((fig.longTaskMs / fig.ms) * 100)}%)`);
        console.log(`  unit layer updates                    ${fig.sourceUpdates} in the window; last: ${fig.features} units, read ${fmt(fig.buildMs)} ms, cluster+fill ${fmt(fig.setDataMs)} ms`);
        console.log(`  publish → marker drawn                p50 ${fmt(pct(delays, 50), 0)} ms  p90 ${fmt(pct(delays, 90), 0)} ms  p99 ${fmt(pct(delays, 99), 0)} ms  (${delays.length} samples)`);
        console.log(`  units in the store / positions applied ${fig.storeUnits} / ${fig.positionsApplied}`);
        console.log(`  CPU, % of one core                    hub+PostgreSQL ${fmt((cpu.hub / (wallMs / 1000)) * 100)}%, Chromium (all processes) ${fmt((cpu.chrome / (wallMs / 1000)) * 100)}%`);
        rows.push(
          `| ${variant} | ${mode} | ${fmt(fps)} | ${fmt(pct(intervals, 99))} ms | ${fmt(fig.mapRenders / (fig.ms / 1000))} | ${fmt(pct(renderMs, 50))} ms | ${fmt(busy)} % | ${fmt(pct(delays, 50), 0)} / ${fmt(pct(delays, 99), 0)} ms |`,
        );
        if (mode === 'pan') {
          // back to where the window started, at rest
          await page.evaluate(`new Promise((r) => { const m = window.__hubWall.map; m.once('moveend', r); m.stop(); m.jumpTo({ center: m.getCenter() }); })`);
        }
      }
      await page.evaluate(`(${applyVariant})(window.__hubWall.map, 'undo')`);
    }
    const done = await Promise.all(reports);
    const sent = synthetic ? synthetic.sent : done.reduce((n, r) => n + r.sent, 0);
    const acked = synthetic ? NaN : done.reduce((n, r) => n + r.acked, 0);
    synthetic?.close();
    console.log(`\n  units connected ${synthetic ? '-' : connectedUnits}; positions sent ${sent}, acked ${acked}; load average at the end ${os.loadavg()[0]!.toFixed(1)}`);
    console.log('\n| variant | map | fps | frame p99 | repaints/s | render call p50 | main thread busy | publish → drawn p50 / p99 |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(r);
  } finally {
    await browser?.close().catch(() => {});
    for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
    hub.kill('SIGINT');
    await new Promise((r) => (hub.exitCode === null ? hub.once('exit', r) : r(null)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
