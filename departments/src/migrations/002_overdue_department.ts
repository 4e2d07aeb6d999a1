import type { Migration } from '@hub/platform';

/**
 * The department that held a case when it went overdue: a transfer afterwards moves the case,
 * not the charge (the assessment charges the overdue, and the case, to it). Cases that went
 * overdue before this column get the department that holds them, the best the rows know.
 */
export const overdueDepartment: Migration = {
  id: 'departments.002_overdue_department',
  after: ['departments.001_departments'],
  up: () => [
    `ALTER TABLE department_cases ADD COLUMN overdue_department_id bigint REFERENCES departments (id)`,
    `UPDATE department_cases SET overdue_department_id = department_id WHERE overdue_at IS NOT NULL`,
  ],
};
