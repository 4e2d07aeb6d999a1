// The departments' tables: departments, their cases, hotline complaints, scene evidence.
import type { Migration } from '@hub/platform';
import { departments } from './001_departments';
import { overdueDepartment } from './002_overdue_department';
import { departmentDeadlines } from './003_department_deadlines';

export const departmentMigrations: readonly Migration[] = [departments, overdueDepartment, departmentDeadlines];
