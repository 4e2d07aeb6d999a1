// The media server's tables: recordings and their segments.
import type { Migration } from '@hub/platform';
import { recordings } from './001_recordings';
import { recordingHub } from './002_recording_hub';

export const mediaMigrations: readonly Migration[] = [recordings, recordingHub];
