import type { Migration } from '@hub/platform';

/** An external report's subject (a plate, a shop) and the camera that saw it (issue 16): kept with the report, like its snapshot. */
export const reportSubjects: Migration = {
  id: 'incidents.003_report_subjects',
  after: ['incidents.002_dispatch_answers'],
  up: () => [`ALTER TABLE incident_reports ADD COLUMN subject_kind text, ADD COLUMN subject_id text, ADD COLUMN camera_id text, ADD COLUMN cleared boolean NOT NULL DEFAULT false`],
};
