// `npm run check:boundaries`: the package boundaries of issue 11, checked in CI after the
// typecheck. dependency-cruiser applies the rules in .dependency-cruiser.cjs (entries only,
// browser code without Node); on top of that this script refuses a cycle between packages,
// which dependency-cruiser sees only between modules or leaf folders, not whole packages.
// Exit code 1 when an error-level rule is broken or the shipped packages form a cycle.
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

const workspaces = JSON.parse(readFileSync('package.json', 'utf8')).workspaces;
const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const { output } = await cruise([...workspaces, 'bench', 'test-support'], { ...options, validate: true, outputType: 'json' }, {}, { tsConfig: extractTSConfig('tsconfig.json') });
const result = typeof output === 'string' ? JSON.parse(output) : output;

const report = await format(result, { outputType: 'err' });
process.stdout.write(report.output);

// Package graph of the shipped code (each package's src/): a test may use another package
// (a hub test starts an edge agent), so test imports are development edges and left out.
const packageOf = (file) => {
  const [top, dir] = file.split('/');
  return workspaces.includes(top) && dir === 'src' ? top : undefined;
};
const edges = new Map(workspaces.map((p) => [p, new Map()]));
for (const mod of result.modules) {
  const from = packageOf(mod.source);
  if (!from) continue;
  for (const dep of mod.dependencies) {
    const to = packageOf(dep.resolved);
    if (to && to !== from && !edges.get(from).has(to)) edges.get(from).set(to, `${mod.source} → ${dep.resolved}`);
  }
}
const cycles = packageCycles(edges);
for (const cycle of cycles) {
  console.log(`\n  error package-cycle: ${cycle.join(' → ')} → ${cycle[0]}`);
  cycle.forEach((p, i) => console.log(`    ${edges.get(p).get(cycle[(i + 1) % cycle.length])}`));
}
if (cycles.length > 0) {
  console.log('\n  Packages form no cycle: take the part both need down into config/ or platform/.\n');
}

const errors = result.summary.error + cycles.length;
console.log(`check:boundaries: ${errors} error(s), ${result.summary.warn} warning(s)`);
process.exit(errors > 0 ? 1 : 0);

/** One cycle per strongly connected component of more than one package (Tarjan). */
function packageCycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v).keys()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(cycleWithin(graph, new Set(component)));
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** A path that leaves the component's first package and comes back to it. */
function cycleWithin(graph, members) {
  const start = [...members][0];
  const seen = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v).keys()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let p = v; p !== null; p = seen.get(p)) path.unshift(p);
        return path;
      }
      if (!seen.has(w)) {
        seen.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...members];
}
