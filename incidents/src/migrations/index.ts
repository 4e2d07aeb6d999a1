// The incidents' tables: incidents, their append-only trail, dispatched units, external reports and intake clients.
import type { Migration } from '@hub/platform';
import { incidents } from './001_incidents';
import { dispatchAnswers } from './002_dispatch_answers';
import { reportSubjects } from './003_report_subjects';

export const incidentMigrations: readonly Migration[] = [incidents, dispatchAnswers, reportSubjects];
