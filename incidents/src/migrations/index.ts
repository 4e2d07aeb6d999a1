// The incidents' tables: incidents, their append-only trail, dispatched units, external reports and intake clients.
import type { Migration } from '@hub/platform';
import { incidents } from './001_incidents';

export const incidentMigrations: readonly Migration[] = [incidents];
