// The hub as its own process (`hub/src/main.ts`, embedded PostgreSQL), as `npm start` runs it:
// for the tests that kill it and the benches that measure it apart from their load generators.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTied } from '@hub/config/node';
import { freePort } from './ports';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface HubPorts {
  httpPort: number;
  mqttPort: number;
  pgPort: number;
}

export interface HubProcess extends HubPorts {
  hub: ChildProcess;
}

export interface HubProcessOptions {
  /** the hub's data directory (its PostgreSQL cluster, recordings) lives in `${dataDir}/data` */
  dataDir: string;
  /** the admin bearer token */
  token: string;
  /** the ports of an earlier run, to start the same hub again; default: free ports */
  ports?: HubPorts;
  /** more settings as HUB_* variables; the log level is warn unless set here */
  env?: Record<string, string>;
  /** extra `--import` modules (a loop-delay probe) */
  imports?: string[];
  /** node's own flags before the script (e.g. --cpu-prof) */
  execArgv?: string[];
}

/** Starts the hub; it dies with this process. Wait for it with `waitForOutput(hub, 'Hub ready')`. */
export async function spawnHubProcess(opts: HubProcessOptions): Promise<HubProcess> {
  // only the three numbers: `opts.ports` may be an earlier HubProcess, with its dead child
  const { httpPort, mqttPort, pgPort } = opts.ports ?? { httpPort: await freePort(), mqttPort: await freePort(), pgPort: await freePort() };
  const ports = { httpPort, mqttPort, pgPort };
  const imports = ['tsx', ...(opts.imports ?? [])].flatMap((m) => ['--import', m]);
  const hub = spawnTied(process.execPath, [...(opts.execArgv ?? []), ...imports, 'hub/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HUB_DATA_DIR: path.join(opts.dataDir, 'data'),
      HUB_HTTP__PORT: String(ports.httpPort),
      HUB_MQTT__PORT: String(ports.mqttPort),
      // any free port: several hubs run at once in the tests
      HUB_JT808__PORT: '0',
      HUB_JT808__MEDIA_PORT: '0',
      HUB_DATABASE__EMBEDDED_PORT: String(ports.pgPort),
      HUB_AUTH__ADMIN_TOKEN: opts.token,
      HUB_LOG__LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ...ports, hub };
}

/** Resolves once `child` has written `text` (stdout or stderr); fails after `ms` or if it exits first. */
export async function waitForOutput(child: ChildProcess, text: string, ms: number): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in ${ms} ms:\n${out}`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before it wrote ${JSON.stringify(text)}:\n${out}`));
    });
  });
}
