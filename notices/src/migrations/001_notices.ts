import type { Migration } from '@hub/platform';

/**
 * The subject registry (plate or shop → contact), the cases in the notice loop (one per incident
 * opened with a notice, its grace end kept here so a restart neither loses nor doubles it), and
 * every text sent, with the gateway's id and its receipt.
 */
export const notices: Migration = {
  id: 'notices.001_notices',
  after: ['incidents.003_report_subjects'],
  up: () => [
    `CREATE TABLE subjects (
       kind text NOT NULL CHECK (kind IN ('plate', 'shop')),
       id text COLLATE "C" NOT NULL,
       name text NOT NULL,
       phone text NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (kind, id)
     )`,
    `CREATE TABLE notice_cases (
       incident_id bigint PRIMARY KEY REFERENCES incidents (id),
       subject_kind text NOT NULL,
       subject_id text COLLATE "C" NOT NULL,
       camera_id text,
       type text NOT NULL,
       lat double precision NOT NULL,
       lon double precision NOT NULL,
       phase text NOT NULL CHECK (phase IN ('noticed', 'recheck', 'escalated', 'resolved_by_notice', 'closed')),
       grace_ends_at timestamptz NOT NULL,
       recheck_seconds double precision NOT NULL,
       last_seen_at timestamptz NOT NULL,
       phase_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       created_at timestamptz NOT NULL DEFAULT clock_timestamp()
     )`,
    `CREATE INDEX notice_cases_open ON notice_cases (subject_kind, subject_id) WHERE phase IN ('noticed', 'recheck')`,
    `CREATE INDEX notice_cases_due ON notice_cases (grace_ends_at) WHERE phase = 'noticed'`,
    `CREATE TABLE notices (
       id bigserial PRIMARY KEY,
       incident_id bigint NOT NULL REFERENCES incidents (id),
       subject_kind text NOT NULL,
       subject_id text COLLATE "C" NOT NULL,
       phone text NOT NULL,
       language text NOT NULL,
       text text NOT NULL,
       params jsonb NOT NULL,
       channel text NOT NULL,
       state text NOT NULL CHECK (state IN ('pending', 'sending', 'submitted', 'delivered', 'failed', 'rate_limited')),
       message_id text,
       error text,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       submitted_at timestamptz,
       done_at timestamptz
     )`,
    `CREATE INDEX notices_subject ON notices (subject_kind, subject_id, created_at)`,
    `CREATE UNIQUE INDEX notices_message ON notices (channel, message_id) WHERE message_id IS NOT NULL`,
  ],
};
