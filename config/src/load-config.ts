import { readFileSync, existsSync } from 'node:fs';
import { HubConfigSchema, type HubConfig } from './hub-config';

export class ConfigError extends Error {
  readonly code = 'HUB_ERR_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `HUB_INGEST__MAX_BATCH` → ['ingest', 'maxBatch']. */
function envPath(name: string): string[] {
  return name
    .slice('HUB_'.length)
    .split('__')
    .map((seg) => seg.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function parseEnvValue(raw: string): unknown {
  if (raw.startsWith('[') || raw.startsWith('{')) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

export interface LoadConfigOptions {
  /** path of the JSON config file; default $HUB_CONFIG, else ./hub.config.json if it exists */
  file?: string;
  /** environment to read overrides from; default process.env */
  env?: NodeJS.ProcessEnv;
  /** values that win over file and environment (tests) */
  overrides?: Record<string, unknown>;
}

/**
 * Reads the config file, applies environment overrides (`HUB_SECTION__KEY`, and
 * `DATABASE_URL`), validates with zod. A bad value throws a ConfigError naming the field.
 */
export function loadConfig(opts: LoadConfigOptions = {}): HubConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HUB_CONFIG ?? (existsSync('hub.config.json') ? 'hub.config.json' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`config file ${file} cannot be read: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('HUB_') && name !== 'HUB_CONFIG' && value !== undefined) {
      setPath(raw, envPath(name), parseEnvValue(value));
    }
  }
  if (env.DATABASE_URL) setPath(raw, ['database', 'url'], env.DATABASE_URL);
  for (const [path, value] of Object.entries(opts.overrides ?? {})) setPath(raw, path.split('.'), value);

  const parsed = HubConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const field = i.path.join('.') || '(root)';
      const envName =
        'HUB_' +
        i.path
          .map((p) =>
            String(p)
              .replace(/[A-Z]/g, (c) => '_' + c)
              .toUpperCase(),
          )
          .join('__');
      return `  ${field}: ${i.message} (set in ${file ?? 'no config file'} or ${envName})`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
