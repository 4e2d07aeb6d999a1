// Whether each unit is online, from its connections, its status messages and its last will.
import type { Logger } from 'pino';
import type { UnitStatusReason } from '@hub/config';
import type { TelemetryBus } from '../events';

export interface UnitStatusTrackerOptions {
  bus: TelemetryBus;
  log: Logger;
  /** persists the state (units.online); errors are logged, not thrown */
  persist: (unitId: string, online: boolean, ts: Date) => Promise<void>;
}

export class UnitStatusTracker {
  private readonly state = new Map<string, 'online' | 'offline'>();

  constructor(private readonly opts: UnitStatusTrackerOptions) {}

  set(unitId: string, state: 'online' | 'offline', reason: UnitStatusReason, ts = new Date()): void {
    if (this.state.get(unitId) === state) return;
    this.state.set(unitId, state);
    this.opts.bus.emit('status', { unitId, state, ts: ts.toISOString(), reason });
    this.opts.persist(unitId, state === 'online', ts).catch((err) => {
      this.opts.log.error({ err, unitId }, 'unit status could not be stored');
    });
  }

  get(unitId: string): 'online' | 'offline' | undefined {
    return this.state.get(unitId);
  }
}
