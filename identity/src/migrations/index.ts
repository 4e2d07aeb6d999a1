// Identity's tables: operators, their sessions, the audit log.
import type { Migration } from '@hub/platform';
import { operators } from './001_operators';

export const identityMigrations: readonly Migration[] = [operators];
