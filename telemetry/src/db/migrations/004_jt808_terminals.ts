import type { Migration } from '@hub/platform';

/**
 * A unit may be a JT/T 808 vehicle terminal: its phone number (the message header's terminal
 * phone number, leading zeros dropped; unique: one terminal is one unit) and the hash of the
 * authentication code the hub issued at its registration (0x8100), kept like `secret_hash`.
 */
export const jt808Terminals: Migration = {
  id: 'telemetry.004_jt808_terminals',
  after: ['telemetry.001_core'],
  up: () => [`ALTER TABLE units ADD COLUMN jt808_terminal_id text COLLATE "C" UNIQUE CHECK (jt808_terminal_id ~ '^(0|[1-9][0-9]{0,19})$')`, `ALTER TABLE units ADD COLUMN jt808_auth_hash text`],
};
