import type { Migration } from '@hub/platform';

/** Wall presets: named layouts, one set per operator (the operator's username). */
export const presets: Migration = {
  id: 'wall.001_presets',
  replaces: ['007_presets'],
  up: () => [
    `CREATE TABLE wall_presets (
       operator text NOT NULL,
       name text NOT NULL,
       layout jsonb NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (operator, name)
     )`,
  ],
};
