// The operator credential until operator logins exist: from the config, else generated at
// first start and kept (mode 0600) in the data folder so that it survives restarts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AdminToken {
  token: string;
  /** where it came from; 'generated' means it was made just now and must be shown once */
  source: 'config' | 'file' | 'generated';
  file?: string;
}

export function resolveAdminToken(configured: string | undefined, dataDir: string): AdminToken {
  if (configured) return { token: configured, source: 'config' };
  const file = path.resolve(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), source: 'file', file };
  mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return { token, source: 'generated', file };
}
