// The hub that makes a recording (cluster.hubId; null for a hub alone): its segment files are
// on that hub's disk, and a hub that starts ends only the recordings no live hub is making.
import type { Migration } from '@hub/platform';

export const recordingHub: Migration = {
  id: 'media.002_recording_hub',
  up: () => [`ALTER TABLE recordings ADD COLUMN hub_id text COLLATE "C"`],
};
