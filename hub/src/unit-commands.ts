// The one place that decides how a command reaches a unit: over MQTT (units/{id}/cmd, QoS 1) or,
// for a JT/T 808 vehicle terminal, through the gateway: a text message 0x8300, or for its cameras
// JT/T 1078 0x9101/0x9102 (stream.start/stop with the command's channel). Incidents
// (dispatch), cameras on demand (stream.start/stop) and the SOS status all send through it, so no
// caller asks which kind of unit it talks to.
import type pg from 'pg';
import type { CommandMessage } from '@hub/config';
import type { Jt808Gateway } from '@hub/jt808';
import type { Telemetry } from '@hub/telemetry';

export interface UnitCommandPort {
  /** Sends a command; resolves once handed over (or kept for a unit that is away). Its answer comes on the bus (`commandAck`). */
  sendCommand(unitId: string, command: CommandMessage): Promise<void>;
  /** The unit has a live connection (MQTT or a JT/T 808 session). */
  isConnected(unitId: string): boolean;
}

export class UnitCommands implements UnitCommandPort {
  constructor(
    private readonly db: pg.Pool,
    private readonly telemetry: Telemetry,
    /** undefined when jt808.enabled is false */
    private readonly jt808: Jt808Gateway | undefined,
  ) {}

  isConnected(unitId: string): boolean {
    return this.telemetry.broker.isConnected(unitId) || (this.jt808?.isConnected(unitId) ?? false);
  }

  async sendCommand(unitId: string, command: CommandMessage): Promise<void> {
    if (this.jt808 && (await this.#viaTerminal(unitId))) return this.jt808.sendCommand(unitId, command);
    return this.telemetry.broker.sendCommand(unitId, command);
  }

  /** Through the gateway when the terminal is connected, or when nothing is and the unit is a terminal (kept for it as MQTT keeps it). */
  async #viaTerminal(unitId: string): Promise<boolean> {
    if (this.jt808!.isConnected(unitId)) return true;
    if (this.telemetry.broker.isConnected(unitId)) return false;
    const { rows } = await this.db.query<{ terminal: boolean }>('SELECT jt808_terminal_id IS NOT NULL AS terminal FROM units WHERE id = $1', [unitId]);
    return rows[0]?.terminal ?? false;
  }
}
