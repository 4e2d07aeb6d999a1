// Package boundaries, checked in CI by `npm run check:boundaries` (dependency-cruiser).
// Issue 11: a package is used only through its package name and the entries its
// package.json exports; the browser pages reach no Node code. That packages form no cycle
// is checked by .ci/check-boundaries.mjs, which runs these rules.
//
// Paths below are relative to the repository root. Each workspace package is a top-level
// folder; bench/ and test-support/ use packages but are not used by them.

/** The workspace packages (package.json "workspaces"). */
const PACKAGES = require('./package.json').workspaces.join('|');

/**
 * The files other packages may import: each package's `src/index.ts` (its "." export) and
 * the other entries listed explicitly in its package.json "exports" (no wildcards).
 */
const ENTRIES = ['^[^/]+/src/index\\.ts$', '^config/src/node\\.ts$'];

/** The browser code: what the pages (wall-ui/*.html) load. wall-ui's package entry,
 *  src/index.ts, is the Node side that builds them, and scripts/ is Node too. */
const BROWSER = '^wall-ui/src/';
const CONFIG_NODE_SIDE = '^config/src/(node|load-config|ffmpeg)\\.ts$';
const WALL_NODE_SIDE = '^wall-ui/(src/index\\.ts$|scripts/)';

/** Telemetry's own files: other packages, benches and test helpers import its entry. */
const TELEMETRY_INTERNALS = '^telemetry/src/';

const NODE_BUILTINS = require('node:module').builtinModules.join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'package-internals',
      severity: 'error',
      comment:
        'Import another package through its name and an entry its package.json exports ' +
        '(src/index.ts, or @hub/config/node), not its files: `@hub/x/some/file` and ' +
        '`../../x/src/...` couple you to code its owner may move.',
      from: { path: `^(${PACKAGES}|bench|test-support)/` },
      to: {
        path: `^(${PACKAGES})/`,
        pathNot: ['^$1/', ...ENTRIES, '^[^/]+/test/support/', TELEMETRY_INTERNALS],
      },
    },
    {
      name: 'telemetry-internals',
      severity: 'error',
      comment: "Telemetry's files are its own: import what it exports from @hub/telemetry.",
      from: { path: `^(${PACKAGES}|bench|test-support)/`, pathNot: '^telemetry/' },
      to: { path: TELEMETRY_INTERNALS, pathNot: ENTRIES },
    },
    {
      name: 'test-helpers-across-packages',
      severity: 'error',
      comment: "A test uses another package's test helpers (test/support/): shared test helpers " + 'belong in test-support/.',
      from: { path: `^(${PACKAGES})/test/` },
      to: { path: `^(${PACKAGES})/test/support/`, pathNot: '^$1/' },
    },
    {
      name: 'src-imports-tests',
      severity: 'error',
      comment: 'Shipped code may not depend on test code (test/, test-support/).',
      from: { path: `^(${PACKAGES})/src/` },
      to: { path: [`^(${PACKAGES})/test/`, '^test-support/'] },
    },
    {
      name: 'browser-imports-node',
      severity: 'error',
      comment: 'The browser pages may not import Node built-ins (node:fs, node:path ...): they would ' + 'break the bundle or pull in a polyfill.',
      from: { path: BROWSER, pathNot: WALL_NODE_SIDE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-imports-server',
      severity: 'error',
      comment: 'The browser pages may use only @hub/config (its "." entry: schemas and pure ' + "functions), not the server packages, @hub/config/node or wall-ui's Node side.",
      from: { path: BROWSER, pathNot: WALL_NODE_SIDE },
      to: {
        path: [`^(${PACKAGES}|test-support)/`, '^config/src/node\\.ts$'],
        pathNot: ['^wall-ui/src/(?!index\\.ts$)', '^config/src/(?!node\\.ts$)'],
      },
    },
    {
      name: 'browser-safe-config',
      severity: 'error',
      comment:
        '@hub/config\'s "." entry is loaded by the browser pages: only its node.ts entry ' +
        '(and the files only it exports: load-config.ts, ffmpeg.ts) may use Node or npm ' +
        'packages other than zod.',
      from: { path: '^config/src/', pathNot: CONFIG_NODE_SIDE },
      to: {
        path: ['^node:', `^(${NODE_BUILTINS})$`, CONFIG_NODE_SIDE, 'node_modules/'],
        pathNot: 'node_modules/zod/',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '/dist/', '^wall-ui/dist'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    combinedDependencies: false,
  },
};
