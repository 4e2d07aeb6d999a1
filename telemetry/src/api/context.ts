// What every route plugin of the API is given.
import type { TelemetryBus } from '../events';
import type { Queryable } from '../store/types';

export interface ApiContext {
  /** the database (a pg.Pool) */
  db: Queryable;
  /** where changes are announced to the live feed and the alarm rules */
  bus: TelemetryBus;
}
