import type { Migration } from '@hub/platform';

/** Operators, their sessions (only token hashes are kept) and the audit log. */
export const operators: Migration = {
  id: 'identity.001_operators',
  replaces: ['004_operators'],
  up: () => [
    `CREATE TABLE operators (
       username text COLLATE "C" PRIMARY KEY,
       display_name text NOT NULL,
       role text NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
       -- scrypt$N$r$p$salt$hash; NULL for the built-in admin, whose password is the admin token
       password_hash text,
       disabled boolean NOT NULL DEFAULT false,
       created_at timestamptz NOT NULL DEFAULT now(),
       last_login_at timestamptz
     )`,
    `CREATE TABLE operator_sessions (
       token_hash bytea PRIMARY KEY,
       username text NOT NULL REFERENCES operators (username) ON DELETE CASCADE,
       created_at timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL
     )`,
    `CREATE INDEX operator_sessions_expires ON operator_sessions (expires_at)`,
    `CREATE TABLE audit_log (
       id bigserial PRIMARY KEY,
       ts timestamptz NOT NULL DEFAULT now(),
       actor text NOT NULL,
       action text NOT NULL,
       target text,
       detail jsonb NOT NULL DEFAULT '{}'
     )`,
    `CREATE INDEX audit_log_ts ON audit_log (ts DESC)`,
    // The audit log is append-only: a row once written is never changed or removed.
    `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
     END $$`,
    `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
  ],
};
