// The media server's tables: recordings and their segments.
import type { Migration } from '@hub/platform';
import { recordings } from './001_recordings';

export const mediaMigrations: readonly Migration[] = [recordings];
