// Builds wall-ui/dist when any source is newer than the last build (or with --force).
// Run by `npm start` and by the test setup, so a fresh clone needs no separate step.
import { existsSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const stampFile = path.join(root, 'dist', '.build-stamp');

function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) visit(path.join(p, name));
    } else {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  // every page (*.html at the top of wall-ui) and what it is built from
  const pages = readdirSync(root).filter((n) => n.endsWith('.html'));
  for (const name of ['src', 'public', ...pages, 'vite.config.ts', 'package.json']) {
    const p = path.join(root, name);
    if (existsSync(p)) visit(p);
  }
  // messages and basemap files the pages import from config/
  const configDir = path.join(root, '..', 'config', 'src');
  if (existsSync(configDir)) visit(configDir);
  return newest;
}

export function wallBuildIsStale(): boolean {
  if (!existsSync(stampFile)) return true;
  const built = Number(readFileSync(stampFile, 'utf8'));
  return !(built >= newestSource());
}

/** Builds the wall when stale; returns true when it built. */
export async function buildWall(opts: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !wallBuildIsStale()) return false;
  const started = newestSource();
  const { build } = await import('vite');
  // Always React's production build: the test runner sets NODE_ENV=test, which Vite would
  // otherwise pass to the pages, and `npm start` would then serve that build as up to date.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(root, 'vite.config.ts'), mode: 'production', logLevel: opts.quiet ? 'warn' : 'info' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(stampFile, String(started));
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  const t0 = Date.now();
  buildWall({ force })
    .then((built) => console.log(built ? `wall-ui built in ${Date.now() - t0} ms` : 'wall-ui is up to date'))
    .catch((err: unknown) => {
      console.error('wall-ui build failed:', err);
      process.exit(1);
    });
}
