import type { Migration } from '@hub/platform';

/**
 * Incidents, their append-only audit trail, the units dispatched to them, the keys that merge
 * repeated external reports, and the external systems allowed to report (intake clients).
 */
export const incidents: Migration = {
  id: 'incidents.001_incidents',
  replaces: ['006_incidents'],
  after: ['telemetry.001_core'],
  up: () => [
    `CREATE TABLE incidents (
       id bigserial PRIMARY KEY,
       type text NOT NULL,
       source text NOT NULL CHECK (source IN ('alarm', 'external', 'manual')),
       alarm_id bigint,
       unit_id text COLLATE "C",
       lat double precision NOT NULL,
       lon double precision NOT NULL,
       note text,
       state text NOT NULL DEFAULT 'reported'
         CHECK (state IN ('reported', 'dispatched', 'en_route', 'on_scene', 'resolved', 'closed')),
       district text,
       external_source text,
       external_id text,
       report_count integer NOT NULL DEFAULT 1,
       last_reported_at timestamptz NOT NULL DEFAULT now(),
       created_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX incidents_open ON incidents (type, last_reported_at DESC) WHERE state IN ('reported', 'dispatched', 'en_route', 'on_scene')`,
    `CREATE INDEX incidents_created ON incidents (created_at DESC)`,
    `CREATE INDEX incidents_alarm ON incidents (alarm_id) WHERE alarm_id IS NOT NULL`,
    // The audit trail: rows are only ever inserted (see the trigger below).
    `CREATE TABLE incident_events (
       id bigserial PRIMARY KEY,
       incident_id bigint NOT NULL REFERENCES incidents (id),
       ts timestamptz NOT NULL DEFAULT clock_timestamp(),
       actor text NOT NULL,
       kind text NOT NULL,
       from_state text,
       to_state text,
       detail jsonb NOT NULL DEFAULT '{}'::jsonb
     )`,
    `CREATE INDEX incident_events_incident ON incident_events (incident_id, ts, id)`,
    // REVOKE would not bind the table's owner or a superuser (the embedded server's user is
    // both): a trigger refuses every UPDATE, DELETE and TRUNCATE whoever runs it.
    `CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'incident_events is an append-only audit trail: % is not allowed', TG_OP
         USING ERRCODE = 'insufficient_privilege';
     END $$`,
    `CREATE TRIGGER incident_events_no_update BEFORE UPDATE OR DELETE ON incident_events
       FOR EACH ROW EXECUTE FUNCTION incident_events_append_only()`,
    `CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
       FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only()`,
    `CREATE TABLE incident_units (
       incident_id bigint NOT NULL REFERENCES incidents (id),
       unit_id text COLLATE "C" NOT NULL,
       command_id text NOT NULL UNIQUE,
       state text NOT NULL CHECK (state IN ('sent', 'acknowledged', 'refused', 'en_route', 'on_scene')),
       sent_at timestamptz NOT NULL,
       acknowledged_at timestamptz,
       en_route_at timestamptz,
       on_scene_at timestamptz,
       message text,
       PRIMARY KEY (incident_id, unit_id)
     )`,
    `CREATE INDEX incident_units_unit ON incident_units (unit_id)`,
    // One external system's id for one thing: its repeats merge into the same incident.
    `CREATE TABLE incident_external_keys (
       source text NOT NULL,
       external_id text NOT NULL,
       incident_id bigint NOT NULL REFERENCES incidents (id),
       created_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (source, external_id)
     )`,
    `CREATE TABLE incident_reports (
       id bigserial PRIMARY KEY,
       incident_id bigint NOT NULL REFERENCES incidents (id),
       client_id bigint,
       source text NOT NULL,
       type text NOT NULL,
       external_id text,
       ts timestamptz NOT NULL,
       lat double precision NOT NULL,
       lon double precision NOT NULL,
       description text,
       snapshot_path text,
       snapshot_sha256 text,
       received_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX incident_reports_incident ON incident_reports (incident_id)`,
    `CREATE TABLE intake_clients (
       id bigserial PRIMARY KEY,
       name text NOT NULL,
       token_hash text NOT NULL UNIQUE,
       disabled boolean NOT NULL DEFAULT false,
       created_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now()
     )`,
  ],
};
