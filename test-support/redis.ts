// A real Redis server (Debian's redis-server) for the cluster's tests: on a free port, no
// persistence, tied to the test process; `restart()` brings it back empty on the same port,
// as a Redis that crashed and lost its memory would come back.
import type { ChildProcess } from 'node:child_process';
import { spawnTied } from '@hub/config/node';
import { freePort } from './ports';
import { waitForOutput } from './hub-process';

export interface TestRedis {
  url: string;
  port: number;
  /** SIGKILLs the server */
  kill(): Promise<void>;
  /** starts it again on the same port, empty */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawnTied('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, 'Ready to accept connections', 20_000);
  return child;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined = await spawnRedis(port);
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill();
      child = await spawnRedis(port);
    },
    close: kill,
  };
}
