// `npm run simulate -- --units 50 --hub http://127.0.0.1:8080 --admin-token T`
// N virtual units driving loops around a city centre at 1 Hz, one MQTT connection each;
// `--protocol jt808`: JT/T 808 vehicle terminals instead (simulate-jt808.ts).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { FleetCredentialsFileSchema, FleetOptionsSchema, type FleetOptions, type UnitCredential } from '@hub/config';
import { parseFlags } from './cli-flags';
import { AgentOptionsError } from './errors';
import { startFleet, type Fleet, type FleetStats } from './fleet/fleet';
import { simulatedUnitType } from './fleet/unit-speeds';
import { provisionUnits } from './fleet/provision';
import { createLogger } from './log';
import { mainJt808 } from './simulate-jt808';

export { startFleet, type Fleet, type FleetStats, type StartFleetOptions } from './fleet/fleet';
export { provisionUnit, provisionUnits } from './fleet/provision';

export const USAGE = `usage: npm run simulate -- --units N [options]

  --protocol P           mqtt (default) or jt808: vehicle terminals (--protocol jt808 --help)
  --units N              virtual units (required)
  --broker URL           default mqtt://127.0.0.1:1883                       (env BROKER_URL)
  --hub URL              create the units and issue credentials through the hub's API
  --admin-token T        the hub's operator token, with --hub                (env HUB_ADMIN_TOKEN)
  --credentials FILE     or: a JSON array of {unitId, username, secret} (the API's credential answers)
  --rate-hz R            positions per second per unit (default 1)
  --duration S           stop after S seconds (default: until Ctrl-C)
  --centre LAT,LON       city centre (default 22.54,114.05, Shenzhen Futian)
  --id-prefix P          unit ids are P0001, P0002… (default sim-)
  --queue-dir DIR        durable per-unit queues under DIR (default in memory)
  --stagger-ms MS        spread the connections over MS (default 1000)
  --speeders N           N patrol cars drive over the speed limit (default 0: body cams
                         walk, cars keep under 80 km/h, so a demo is not an alarm flood)`;

export function parseFleetArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): FleetOptions | 'help' {
  const values = parseFlags(argv, {
    units: { type: 'string' },
    broker: { type: 'string' },
    hub: { type: 'string' },
    'admin-token': { type: 'string' },
    credentials: { type: 'string' },
    'rate-hz': { type: 'string' },
    duration: { type: 'string' },
    centre: { type: 'string' },
    'id-prefix': { type: 'string' },
    'queue-dir': { type: 'string' },
    'stagger-ms': { type: 'string' },
    speeders: { type: 'string' },
  });
  if (values.help) return 'help';
  const [centreLat, centreLon] = typeof values.centre === 'string' ? values.centre.split(',') : [];
  const parsed = FleetOptionsSchema.safeParse({
    units: values.units,
    broker: values.broker ?? env.BROKER_URL,
    hub: values.hub,
    adminToken: values['admin-token'] ?? env.HUB_ADMIN_TOKEN,
    credentials: values.credentials,
    rateHz: values['rate-hz'],
    duration: values.duration,
    centreLat,
    centreLon,
    idPrefix: values['id-prefix'],
    queueDir: values['queue-dir'],
    staggerMs: values['stagger-ms'],
    speeders: values.speeders,
  });
  if (!parsed.success) {
    const flag = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/^--centre-l(at|on)$/, '--centre');
    throw new AgentOptionsError(`invalid arguments:\n${parsed.error.issues.map((i) => `  ${flag(String(i.path[0] ?? ''))}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** The credentials the fleet runs with: issued by the hub, or read from a file. */
export async function fleetCredentials(opts: FleetOptions): Promise<UnitCredential[]> {
  const ids = Array.from({ length: opts.units }, (_, i) => `${opts.idPrefix}${String(i + 1).padStart(4, '0')}`);
  if (opts.hub && opts.adminToken) {
    return provisionUnits(
      { hub: opts.hub, adminToken: opts.adminToken },
      ids.map((id, i) => ({ id, name: `Simulated ${simulatedUnitType(i) === 'bodycam' ? 'body cam' : 'patrol car'} ${i + 1}`, type: simulatedUnitType(i) })),
    );
  }
  const file = opts.credentials!;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new AgentOptionsError(`--credentials ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  const parsed = FleetCredentialsFileSchema.safeParse(raw);
  if (!parsed.success) throw new AgentOptionsError(`--credentials ${file} must be a JSON array of {unitId, username, secret}: ${parsed.error.issues[0]?.message}`);
  if (parsed.data.length < opts.units) throw new AgentOptionsError(`--credentials ${file} holds ${parsed.data.length} units, --units asks for ${opts.units}`);
  return parsed.data.slice(0, opts.units);
}

/** One progress line: `units 48/50 connected | sent 50/s acked 50/s | queued 0 | dropped 0 | errors 2`. */
export function progressLine(now: FleetStats, before: FleetStats | undefined, seconds: number): string {
  const rate = (k: 'sent' | 'acked') => Math.round((now[k] - (before?.[k] ?? 0)) / seconds);
  return (
    `units ${now.connected}/${now.units} connected | sent ${rate('sent')}/s acked ${rate('acked')}/s (total ${now.acked}) | ` +
    `queued ${now.queued} | dropped ${now.dropped} | errors ${now.errors}${now.authErrors ? ` | refused ${now.authErrors}` : ''}`
  );
}

/** The --protocol flag's value, wherever it stands (mqtt when absent). */
export function protocolOf(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--protocol' || a.startsWith('--protocol='));
  if (i < 0) return 'mqtt';
  return argv[i]!.includes('=') ? argv[i]!.slice('--protocol='.length) : (argv[i + 1] ?? '');
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const protocol = protocolOf(argv);
  if (protocol === 'jt808') return mainJt808(argv);
  if (protocol !== 'mqtt') {
    process.stderr.write(`simulate: --protocol ${protocol}: mqtt or jt808\n\n${USAGE}\n`);
    return 2;
  }
  argv = argv.filter((a, i) => !(a.startsWith('--protocol') || argv[i - 1] === '--protocol'));
  let opts: FleetOptions | 'help';
  try {
    opts = parseFleetArgs(argv);
  } catch (err) {
    process.stderr.write(`simulate: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const credentials = await fleetCredentials(opts);
  const fleet: Fleet = await startFleet({
    credentials,
    broker: opts.broker,
    rateHz: opts.rateHz,
    centre: { lat: opts.centreLat, lon: opts.centreLon },
    staggerMs: opts.staggerMs,
    queueDir: opts.queueDir,
    // units the simulator made are every fifth a body cam; a credentials file's are taken as vehicles
    types: opts.hub ? new Map(credentials.map((c, i) => [c.unitId, simulatedUnitType(i)])) : undefined,
    speeders: opts.speeders,
    logger: log,
  });
  const tty = process.stdout.isTTY;
  let last: FleetStats | undefined;
  const progress = setInterval(() => {
    const now = fleet.stats();
    const line = progressLine(now, last, 1);
    last = now;
    process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, 1000);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(progress);
      clearTimeout(timer);
      void fleet.close().then(() => {
        const s = fleet.stats();
        process.stdout.write(`${tty ? '\n' : ''}stopped: ${s.acked} positions acknowledged, ${s.queued} left queued, ${s.dropped} dropped\n`);
        resolve(s.authErrors > 0 ? 3 : 0);
      });
    };
    const timer = opts.duration ? setTimeout(stop, opts.duration * 1000) : undefined;
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (err: Error & { code?: string }) => {
      process.stderr.write(`simulate: ${err.message}${err.code ? ` (${err.code})` : ''}\n`);
      process.exit(1);
    },
  );
}
