// The departments' tables: departments, their cases, hotline complaints, scene evidence.
import type { Migration } from '@hub/platform';
import { departments } from './001_departments';

export const departmentMigrations: readonly Migration[] = [departments];
