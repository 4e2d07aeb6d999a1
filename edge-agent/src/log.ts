import { pino, type Logger } from 'pino';

/** The agent's root logger; modules take `.child({ module })` of it. Never log secrets. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'edge-agent' } });
}

/** A logger that writes nothing (library default, tests). */
export const silentLogger: Logger = pino({ level: 'silent' });

export type { Logger };
