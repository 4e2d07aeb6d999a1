// `npm run simulate -- --protocol jt808 --units 20 --hub http://127.0.0.1:8080 --admin-token T`
// N simulated JT/T 808 vehicle terminals driving loops at 1 Hz over TCP to the hub's gateway.
// Keys on a terminal: s presses (and releases) the first terminal's emergency button, c cuts every
// terminal's link for --cut-for seconds (their positions come back as blind-area batches). Each
// terminal has cameras on channels 1 and 2: a camera opened on the wall (0x9101) sends an H.264
// test pattern to the hub's JT/T 1078 media port named in the request, until 0x9102.
import { Jt808FleetOptionsSchema, type Jt808FleetOptions } from '@hub/config';
import { parseFlags } from './cli-flags';
import { AgentOptionsError } from './errors';
import { fileCodeStore, startJt808Fleet, type FleetTerminal, type Jt808Fleet } from './fleet/jt808-fleet';
import { forgetAuthCode, provisionTerminals } from './fleet/provision';
import { createLogger } from './log';

export const JT808_USAGE = `usage: npm run simulate -- --protocol jt808 --units N [options]

  --units N              simulated terminals (required)
  --gateway HOST:PORT    the hub's JT/T 808 port (default: --hub's host, else 127.0.0.1; port 6808)
  --hub URL              create the terminals' units through the hub's API (and reset a lost registration)
  --admin-token T        the hub's admin token, with --hub                   (env HUB_ADMIN_TOKEN)
  --state FILE           the terminals' authentication codes, kept across restarts (default jt808-sim-state.json)
  --interval S           seconds between reports (default 1)
  --duration S           stop after S seconds (default: until Ctrl-C)
  --centre LAT,LON       city centre (default 22.54,114.05, Shenzhen Futian)
  --id-prefix P          unit ids are P0001, P0002… (default jt-)
  --phone-base NUMBER    terminal i's phone number is NUMBER + i (default 13900000000)
  --stagger-ms MS        spread the connections over MS (default 1000)
  --cut-every S          every S seconds the terminals lose their link (a dead zone)
  --cut-for S            for S seconds (default 10): their positions come back as a blind-area batch
  --sos-after S          the first terminal presses its emergency button after S seconds
  keys (on a terminal):  s emergency button of the first terminal on/off, c cut every link now

Each terminal has cameras on channels 1 and 2 (--hub creates its unit with both): a camera opened
on the wall (0x9101) sends an H.264 test pattern (ffmpeg) to the media port the hub names in the
request, until the hub closes it (0x9102).`;

export function parseJt808Args(argv: string[], env: NodeJS.ProcessEnv = process.env): Jt808FleetOptions | 'help' {
  const flags = ['units', 'gateway', 'hub', 'admin-token', 'state', 'interval', 'duration', 'centre', 'id-prefix', 'phone-base', 'stagger-ms', 'cut-every', 'cut-for', 'sos-after', 'protocol'];
  const values = parseFlags(argv, Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])));
  if (values.help) return 'help';
  const [centreLat, centreLon] = typeof values.centre === 'string' ? values.centre.split(',') : [];
  const camel = (f: string) => f.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const given = Object.fromEntries(flags.filter((f) => f !== 'centre' && f !== 'protocol').map((f) => [camel(f), values[f]]));
  const parsed = Jt808FleetOptionsSchema.safeParse({ ...given, adminToken: values['admin-token'] ?? env.HUB_ADMIN_TOKEN, centreLat, centreLon });
  if (!parsed.success) {
    const flag = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/^--centre-l(at|on)$/, '--centre');
    throw new AgentOptionsError(`invalid arguments:\n${parsed.error.issues.map((i) => `  ${flag(String(i.path[0] ?? ''))}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}

/** The gateway's host and port: --gateway, else --hub's host, port 6808. */
export function gatewayOf(opts: Pick<Jt808FleetOptions, 'gateway' | 'hub'>): { host: string; port: number } {
  if (opts.gateway) {
    const at = opts.gateway.lastIndexOf(':');
    return { host: opts.gateway.slice(0, at), port: Number(opts.gateway.slice(at + 1)) };
  }
  return { host: opts.hub ? new URL(opts.hub).hostname : '127.0.0.1', port: 6808 };
}

export function fleetTerminals(opts: Pick<Jt808FleetOptions, 'units' | 'idPrefix' | 'phoneBase'>): FleetTerminal[] {
  return Array.from({ length: opts.units }, (_, i) => ({ unitId: `${opts.idPrefix}${String(i + 1).padStart(4, '0')}`, phone: String(opts.phoneBase + i) }));
}

/** One progress line: `terminals 48/50 connected | acked 50/s (total 900) | blind 0 (sent 120) | errors 0`. */
export function jt808ProgressLine(fleet: Jt808Fleet, ackedBefore: number): string {
  const s = fleet.stats();
  return `terminals ${s.connected}/${s.units} connected | acked ${s.acked - ackedBefore}/s (total ${s.acked}) | blind ${s.blind} (sent ${s.blindSent}) | errors ${s.errors}${s.refused ? ` | refused ${s.refused}` : ''}`;
}

export async function mainJt808(argv: string[]): Promise<number> {
  let opts: Jt808FleetOptions | 'help';
  try {
    opts = parseJt808Args(argv);
  } catch (err) {
    process.stderr.write(`simulate: ${(err as Error).message}\n\n${JT808_USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(JT808_USAGE + '\n');
    return 0;
  }
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const terminals = fleetTerminals(opts);
  const api = opts.hub && opts.adminToken ? { hub: opts.hub, adminToken: opts.adminToken } : undefined;
  if (api)
    await provisionTerminals(
      api,
      // two cameras each (the simulated terminal answers 0x9101 for channels 1 and 2)
      terminals.map((t, i) => ({ id: t.unitId, name: `Simulated truck ${i + 1}`, type: 'vehicle', jt808: { terminalId: t.phone, channels: [1, 2] } })),
    );
  const fleet = startJt808Fleet({
    terminals,
    ...gatewayOf(opts),
    codes: fileCodeStore(opts.state),
    forgetCode: api && ((unitId) => forgetAuthCode(api, unitId)),
    intervalMs: opts.interval * 1000,
    centre: { lat: opts.centreLat, lon: opts.centreLon },
    staggerMs: opts.staggerMs,
    onText: (unitId, text) => process.stdout.write(`\n${unitId} shows: ${text.text}\n`),
    logger: log,
  });
  const first = fleet.terminals[0]!;
  let sos = false;
  const pressSos = (on: boolean) => {
    sos = on;
    first.emergency(on);
    process.stdout.write(`\n${first.unitId}: emergency button ${on ? 'pressed' : 'released'}\n`);
  };
  const cutAll = () => {
    for (const t of fleet.terminals) t.cutLink(opts.cutFor * 1000);
    process.stdout.write(`\nevery link cut for ${opts.cutFor} s\n`);
  };
  const timers = [opts.sosAfter !== undefined ? setTimeout(() => pressSos(true), opts.sosAfter * 1000) : undefined, opts.cutEvery ? setInterval(cutAll, opts.cutEvery * 1000) : undefined];
  const tty = process.stdout.isTTY;
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (key) => {
      const k = key.toString();
      if (k === 's') pressSos(!sos);
      if (k === 'c') cutAll();
      if (k === '\u0003') process.emit('SIGINT');
    });
  }
  let acked = 0;
  const progress = setInterval(() => {
    const line = jt808ProgressLine(fleet, acked);
    acked = fleet.stats().acked;
    process.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }, 1000);
  return new Promise<number>((resolve) => {
    const stop = () => {
      clearInterval(progress);
      timers.forEach((t) => clearTimeout(t));
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      void fleet.close().then(() => {
        const s = fleet.stats();
        process.stdout.write(`${tty ? '\n' : ''}stopped: ${s.acked} positions acknowledged, ${s.blind} held in blind-area stores\n`);
        resolve(s.refused > 0 ? 3 : 0);
      });
    };
    if (opts.duration) setTimeout(stop, opts.duration * 1000);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
