// The notice loop's tables: subjects, cases in grace, notices.
import type { Migration } from '@hub/platform';
import { notices } from './001_notices';

export const noticeMigrations: readonly Migration[] = [notices];
