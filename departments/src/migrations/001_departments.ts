import type { Migration } from '@hub/platform';

/**
 * Departments, the department each case is with (its deadline and the one overdue escalation,
 * claimed by the row so two hubs raise it once), the hotline's complaints, and the photos from
 * the scene that verification needs (by SHA-256, like intake snapshots).
 */
export const departments: Migration = {
  id: 'departments.001_departments',
  after: ['notices.001_notices'],
  up: () => [
    `CREATE TABLE departments (
       id bigserial PRIMARY KEY,
       name text NOT NULL UNIQUE,
       kind text NOT NULL CHECK (kind IN ('unit', 'agency')),
       districts text[] NOT NULL DEFAULT '{}',
       case_types text[] NOT NULL,
       quota jsonb NOT NULL DEFAULT '{}'::jsonb,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE TABLE department_cases (
       incident_id bigint PRIMARY KEY REFERENCES incidents (id),
       department_id bigint NOT NULL REFERENCES departments (id),
       routed_by text NOT NULL CHECK (routed_by IN ('routing', 'transfer')),
       routed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       due_at timestamptz NOT NULL,
       overdue_at timestamptz
     )`,
    `CREATE INDEX department_cases_due ON department_cases (due_at) WHERE overdue_at IS NULL`,
    `CREATE INDEX department_cases_department ON department_cases (department_id)`,
    `CREATE TABLE hotline_complaints (
       id bigserial PRIMARY KEY,
       incident_id bigint REFERENCES incidents (id),
       caller_name text NOT NULL,
       caller_phone text NOT NULL,
       category text NOT NULL,
       description text NOT NULL,
       lat double precision NOT NULL,
       lon double precision NOT NULL,
       taken_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE TABLE incident_evidence (
       id bigserial PRIMARY KEY,
       incident_id bigint NOT NULL REFERENCES incidents (id),
       unit_id text COLLATE "C" NOT NULL,
       sha256 text NOT NULL,
       path text NOT NULL,
       bytes integer NOT NULL,
       received_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE INDEX incident_evidence_incident ON incident_evidence (incident_id)`,
  ],
};
