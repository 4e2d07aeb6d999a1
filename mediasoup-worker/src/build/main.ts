// The workspace's postinstall (`npm ci`): builds the mediasoup worker, or keeps the one there
// when its inputs are unchanged. mediasoup's own postinstall, which downloads a prebuilt
// worker, is denied in the root package.json's allowScripts.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { aptInstallLine } from '../build-packages';
import { buildDir, builtBinPath, cacheDir } from '../paths';
import { compileWorker } from './compile';
import { buildInputs } from './inputs';
import { missingRequirements } from './requirements';

const say = (line: string) => console.log(`mediasoup-worker: ${line}`);
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const mib = (file: string) => (statSync(file).size / 2 ** 20).toFixed(1);

function mediasoupDir(): string {
  // mediasoup's "exports" hides package.json: find its folder from its main entry (node/lib/index.js)
  return path.resolve(path.dirname(createRequire(import.meta.url).resolve('mediasoup')), '..', '..');
}

/** copies `from` to `to` through a temporary name, so a reader never sees half a binary */
function install(from: string, to: string): void {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, `${to}.tmp`);
  rmSync(to, { force: true });
  copyFileSync(`${to}.tmp`, to);
  rmSync(`${to}.tmp`);
}

function main(): number {
  const started = performance.now();
  if (process.env.HUB_SKIP_MEDIASOUP_BUILD === '1') {
    say('build skipped (HUB_SKIP_MEDIASOUP_BUILD=1); the hub runs on the werift engine, and the mediasoup engine will say the worker is missing');
    return 0;
  }
  const sources = mediasoupDir();
  const { inputs, hash } = buildInputs(sources);
  const bin = builtBinPath();
  const stampFile = path.join(buildDir(), 'stamp.json');
  const stamp = JSON.stringify({ hash, inputs }, null, 2);
  if (existsSync(bin) && existsSync(stampFile) && (JSON.parse(readFileSync(stampFile, 'utf8')) as { hash: string }).hash === hash) {
    say(`kept ${bin} (inputs unchanged, ${hash}) in ${seconds(started)} s`);
    return 0;
  }
  const cached = cacheDir() && path.join(cacheDir()!, hash, 'mediasoup-worker');
  if (cached && existsSync(cached)) {
    install(cached, bin);
    writeFileSync(stampFile, stamp);
    say(`took ${bin} from the cache (${cached}) in ${seconds(started)} s`);
    return 0;
  }
  const missing = missingRequirements();
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((r) => r.debian))];
    console.error(
      [
        `mediasoup-worker: cannot build the mediasoup worker (HUB_ERR_MEDIASOUP_BUILD_PACKAGES): this machine lacks ${missing.map((r) => r.program ?? `pkg-config module ${r.pkgConfig}`).join(', ')}.`,
        `  Install them (Debian 12):  ${aptInstallLine(packages)}`,
        '  then run `npm ci` again. Or install without the worker: HUB_SKIP_MEDIASOUP_BUILD=1 npm ci (the hub runs on the werift engine).',
      ].join('\n'),
    );
    return 1;
  }
  const work = path.join(buildDir(), 'work');
  const logFile = path.join(buildDir(), 'build.log');
  mkdirSync(buildDir(), { recursive: true });
  rmSync(logFile, { force: true });
  say(`building from mediasoup ${inputs.mediasoup}'s sources with meson and ninja (a few minutes; log: ${logFile})`);
  try {
    const built = compileWorker(sources, work, logFile);
    install(built, bin);
  } catch (err) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
    console.error(`${tail}\nmediasoup-worker: the build failed (HUB_ERR_MEDIASOUP_BUILD_FAILED): ${(err as Error).message.split('\n')[0]}\n  The whole log: ${logFile}`);
    return 1;
  }
  // the object files are not reused (new inputs rebuild from scratch): keep only the binary
  rmSync(work, { recursive: true, force: true });
  writeFileSync(stampFile, stamp);
  if (cached) install(bin, cached);
  say(`built ${bin} (${mib(bin)} MiB, stripped) in ${seconds(started)} s`);
  return 0;
}

process.exitCode = main();
