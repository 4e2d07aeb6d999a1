// The browser pages reach no Node code (issue 11). Builds nothing: dependency-cruiser
// resolves the import graph of every page's script (wall-ui/*.html) and of @hub/config's
// "." entry, which the pages import, the way the bundler does (package "exports", .ts/.tsx),
// type-only imports included, and this walks it. A module reached that imports a Node
// built-in, a server package or @hub/config/node fails the test with the chain that led there.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_PACKAGES = ['platform', 'identity', 'telemetry', 'media-server', 'edge-agent', 'hub', 'werift-patches', 'test-support'];

/** The module each page loads: `<script type="module" src="/src/...">` in wall-ui/*.html. */
function pageEntries(): string[] {
  const wall = path.join(repo, 'wall-ui');
  return readdirSync(wall)
    .filter((name) => name.endsWith('.html'))
    .flatMap((name) => [...readFileSync(path.join(wall, name), 'utf8').matchAll(/<script[^>]*\bsrc="\/(src\/[^"]+)"/g)])
    .map((m) => `wall-ui/${m[1]}`);
}

/** Why `resolved` may not be in a browser bundle, or undefined when it may. */
function nodeOnly(resolved: string, coreModule: boolean): string | undefined {
  if (coreModule || resolved.startsWith('node:')) return 'a Node built-in';
  if (resolved === 'config/src/node.ts') return '@hub/config/node (Node only)';
  if (/^wall-ui\/(scripts\/|src\/index\.ts$)/.test(resolved)) return "wall-ui's Node side (the page build)";
  const top = resolved.split('/')[0]!;
  if (SERVER_PACKAGES.includes(top)) return `the server package ${top}/`;
  return undefined;
}

/** Every path from `entries` through project modules to a Node-only dependency, one per target. */
function nodeReaches(result: ICruiseResult, entries: string[]): string[] {
  const modules = new Map(result.modules.map((m) => [m.source, m]));
  const via = new Map<string, string | null>(entries.map((e) => [e, null]));
  const queue = [...entries];
  const found = new Map<string, string>();
  const chain = (source: string): string[] => {
    const out: string[] = [];
    for (let s: string | null | undefined = source; s; s = via.get(s)) out.unshift(s);
    return out;
  };
  while (queue.length > 0) {
    const source = queue.shift()!;
    for (const dep of modules.get(source)?.dependencies ?? []) {
      const why = nodeOnly(dep.resolved, dep.coreModule);
      if (why && !found.has(dep.resolved)) {
        found.set(dep.resolved, `${[...chain(source), dep.resolved].join(' → ')} (${why})`);
        continue;
      }
      if (why || dep.resolved.includes('node_modules/') || via.has(dep.resolved)) continue;
      via.set(dep.resolved, source);
      queue.push(dep.resolved);
    }
  }
  return [...found.values()];
}

describe('the browser pages import no Node code', () => {
  const entries = [...pageEntries(), 'config/src/index.ts'];
  let result: ICruiseResult;

  beforeAll(async () => {
    const cwd = process.cwd();
    process.chdir(repo); // dependency-cruiser reports paths relative to the working folder
    try {
      const { output } = await cruise(
        entries,
        {
          doNotFollow: { path: 'node_modules' },
          tsPreCompilationDeps: true,
          tsConfig: { fileName: 'tsconfig.json' },
          enhancedResolveOptions: {
            exportsFields: ['exports'],
            conditionNames: ['import', 'browser', 'default', 'types'],
            extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.json'],
          },
        },
        {},
        { tsConfig: extractTSConfig('tsconfig.json') },
      );
      result = (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
    } finally {
      process.chdir(cwd);
    }
  }, 120_000);

  it('finds every page and follows its imports into @hub/config', () => {
    // the walk must really cover the pages: a graph that stopped at the entries proves nothing
    expect(entries).toEqual(expect.arrayContaining(['wall-ui/src/wall/main.tsx', 'wall-ui/src/bodycam/main.tsx']));
    const sources = new Set(result.modules.map((m) => m.source));
    expect(sources).toContain('wall-ui/src/wall/map/projection.ts');
    expect(sources).toContain('config/src/gcj02.ts');
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
    expect(unresolved).toEqual([]);
  });

  it('reaches no Node built-in, server package or @hub/config/node from a page', () => {
    expect(nodeReaches(result, entries)).toEqual([]);
  });
});
