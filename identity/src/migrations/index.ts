// Identity's tables: operators, their sessions, the audit log, failed logins.
import type { Migration } from '@hub/platform';
import { operators } from './001_operators';
import { loginFailures } from './002_login_failures';

export const identityMigrations: readonly Migration[] = [operators, loginFailures];
