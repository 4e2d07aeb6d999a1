// The incidents' tables: incidents, their append-only trail, dispatched units, external reports and intake clients.
import type { Migration } from '@hub/platform';
import { incidents } from './001_incidents';
import { dispatchAnswers } from './002_dispatch_answers';

export const incidentMigrations: readonly Migration[] = [incidents, dispatchAnswers];
