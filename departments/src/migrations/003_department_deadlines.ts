import type { Migration } from '@hub/platform';

/** A department's own deadline per case type (seconds), before the hub's `departments.deadlines`. */
export const departmentDeadlines: Migration = {
  id: 'departments.003_department_deadlines',
  after: ['departments.002_overdue_department'],
  up: () => [`ALTER TABLE departments ADD COLUMN deadlines jsonb NOT NULL DEFAULT '{}'::jsonb`],
};
