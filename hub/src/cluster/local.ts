// `npm run cluster -- --hubs 3`: a cluster of hubs on this machine, for trying it and for its
// checks — Redis, one PostgreSQL (embedded, or DATABASE_URL's), N hub processes and HAProxy in front of them on the
// ports one hub would use (8080 HTTP, 1883 MQTT, 6808 JT/T 808). Its state (ports, process ids,
// the admin token) is written to `<data>/cluster.json`. Ctrl-C stops it all. A hub that dies is
// not restarted here (its units reconnect to the others through HAProxy); a supervisor (systemd,
// compose's restart policy) does that in production.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnTied } from '@hub/config/node';
import { startEmbeddedDatabase } from '@hub/platform';
import { haproxyConfig, type HubAddress } from './haproxy';

const { values: args } = parseArgs({
  options: {
    hubs: { type: 'string', default: '3' },
    http: { type: 'string', default: '8080' },
    mqtt: { type: 'string', default: '1883' },
    jt808: { type: 'string', default: '6808' },
    data: { type: 'string', default: '.data/cluster' },
    'lease-ms': { type: 'string', default: '3000' },
  },
});

function need(command: string, apt: string): void {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
    process.stderr.write(`The local cluster needs ${command}: apt-get install ${apt}\n`);
    process.exit(2);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the child has written `text`; fails if it exits first. */
function ready(child: ChildProcess, name: string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${out.slice(-2000)}`)));
  });
}

/** Lines of a child's output, prefixed with its name (warnings and errors: the hubs log at warn). */
function prefix(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
}

async function main(): Promise<void> {
  need('redis-server', 'redis-server');
  need('haproxy', 'haproxy');
  const hubCount = Number(args.hubs);
  const dataDir = path.resolve(args.data);
  mkdirSync(dataDir, { recursive: true });
  const children: ChildProcess[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    // a child killed by a signal has no exit code, only its signal
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const redisPort = await freePort();
  const redis = spawnTied('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(redis);
  await ready(redis, 'redis', 'Ready to accept connections');

  // DATABASE_URL: an external PostgreSQL / TimescaleDB (and the benchmark's own); else an embedded one
  const database = process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : await startEmbeddedDatabase({ dataDir: path.join(dataDir, 'postgres'), port: await freePort() });
  if ('stop' in database) stops.push(() => database.stop());

  const token = process.env.HUB_AUTH__ADMIN_TOKEN ?? randomBytes(24).toString('base64url');
  const hubs: (HubAddress & { pid: number | undefined })[] = [];
  for (let i = 1; i <= hubCount; i++) {
    const hub: HubAddress = { name: `hub-${i}`, host: '127.0.0.1', httpPort: await freePort(), mqttPort: await freePort(), jt808Port: await freePort() };
    const child = spawnTied(process.execPath, ['--import', 'tsx', 'hub/src/main.ts'], {
      env: {
        ...process.env,
        HUB_DATA_DIR: path.join(dataDir, hub.name),
        DATABASE_URL: database.url,
        HUB_CLUSTER__REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        HUB_CLUSTER__HUB_ID: hub.name,
        HUB_CLUSTER__LEASE_MS: args['lease-ms'],
        // the address the other hubs relay a viewer's WHEP signalling to (the hub that hosts the stream)
        HUB_CLUSTER__ADVERTISE_URL: `http://127.0.0.1:${hub.httpPort}`,
        HUB_HTTP__HOST: '127.0.0.1',
        HUB_HTTP__PORT: String(hub.httpPort),
        HUB_MQTT__HOST: '127.0.0.1',
        HUB_MQTT__PORT: String(hub.mqttPort),
        HUB_JT808__HOST: '127.0.0.1',
        HUB_JT808__PORT: String(hub.jt808Port),
        // each hub its own JT/T 1078 media port: 0x9101 names it with the address the terminal came in on (127.0.0.1), so video goes to the hub that asked
        HUB_JT808__MEDIA_PORT: String(await freePort()),
        HUB_AUTH__ADMIN_TOKEN: token,
        HUB_HTTP__TRUST_PROXY: '["127.0.0.1"]',
        HUB_LOG__LEVEL: process.env.HUB_LOG__LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    prefix(child, hub.name);
    child.once('exit', (code, signal) => !stopping && process.stdout.write(`[cluster] ${hub.name} exited (${signal ?? code}); its units reconnect to the others\n`));
    // one after another: the first applies the migrations, the others find them done
    await ready(child, hub.name, 'Hub ready');
    hubs.push({ ...hub, pid: child.pid });
  }

  const front = { httpPort: Number(args.http), mqttPort: Number(args.mqtt), jt808Port: Number(args.jt808) };
  const cfg = path.join(dataDir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(hubs, front));
  const haproxy = spawnTied('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(haproxy);
  prefix(haproxy, 'haproxy');
  haproxy.once('exit', (code) => !stopping && void stopAll(code ?? 1));
  await waitListening(front.httpPort);

  const state = { redis: `redis://127.0.0.1:${redisPort}`, database: database.url.replace(/:[^:@/]+@/, ':***@'), front, hubs, token };
  writeFileSync(path.join(dataDir, 'cluster.json'), JSON.stringify(state, null, 2));
  process.stdout.write(
    [
      '',
      `  Cluster ready: http://localhost:${front.httpPort}/  (HAProxy in front of ${hubCount} hubs)`,
      `  MQTT: mqtt://localhost:${front.mqttPort}   JT/T 808: localhost:${front.jt808Port}`,
      ...hubs.map((h) => `    ${h.name}: http ${h.httpPort}, mqtt ${h.mqttPort}, jt808 ${h.jt808Port} (pid ${h.pid})`),
      `  Admin token: ${token}`,
      `  State: ${path.join(dataDir, 'cluster.json')}   Ctrl-C stops it all.`,
      '',
    ].join('\n'),
  );
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`The local cluster failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
