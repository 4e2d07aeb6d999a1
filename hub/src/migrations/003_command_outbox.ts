import type { Migration } from '@hub/platform';

/**
 * Commands to units, kept until the unit answers (command-outbox.ts): written before anything is
 * sent, so that neither a hub's restart nor the unit coming back on another hub loses one. A row
 * goes on the unit's cmd/ack (or a terminal's 0x0001), or once past `expires_at`.
 */
export const commandOutbox: Migration = {
  id: 'hub.003_command_outbox',
  after: ['hub.002_stream_channels'],
  up: () => [
    `CREATE TABLE unit_command_outbox (
       command_id text COLLATE "C" PRIMARY KEY,
       unit_id text COLLATE "C" NOT NULL REFERENCES units (id) ON DELETE CASCADE,
       command jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       expires_at timestamptz NOT NULL
     )`,
    `CREATE INDEX unit_command_outbox_unit ON unit_command_outbox (unit_id, created_at)`,
  ],
};
