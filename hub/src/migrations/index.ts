// The hub's own tables (each unit's stream ids, one per camera channel; the command outbox), and the schema of the whole hub: every
// package's migrations, which the one runner orders by what each builds on.
import type { Migration } from '@hub/platform';
import { alarmMigrations } from '@hub/alarms';
import { incidentMigrations } from '@hub/incidents';
import { mediaMigrations } from '@hub/media-server';
import { noticeMigrations } from '@hub/notices';
import { departmentMigrations } from '@hub/departments';
import { wallMigrations } from '@hub/wall-server';
import { defaultMigrations as telemetryAndIdentity } from '@hub/telemetry';
import { streams } from './001_streams';
import { streamChannels } from './002_stream_channels';
import { commandOutbox } from './003_command_outbox';

export const hubMigrations: readonly Migration[] = [streams, streamChannels, commandOutbox];

/** What `startHub` applies: identity's, telemetry's, the alarms', the incidents', the notice loop's, the departments', the wall's, the media server's and the hub's. */
export const schemaMigrations: readonly Migration[] = [
  ...telemetryAndIdentity,
  ...alarmMigrations,
  ...incidentMigrations,
  ...noticeMigrations,
  ...departmentMigrations,
  ...wallMigrations,
  ...mediaMigrations,
  ...hubMigrations,
];
