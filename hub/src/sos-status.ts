// Tells the wearer who pressed SOS what the centre has done (a `sos.status` command to that
// unit, config/src/wire.ts): the incident it opened, that an operator acknowledged the alarm,
// and who accepted to come with their arrival estimate. A whole snapshot each time, sent when
// any of these changes, so a lost or repeated one does no harm.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alarm, DispatchEvent, Incident, SosHelper } from '@hub/config';
import { getAlarm } from '@hub/alarms';
import type { IncidentService } from '@hub/incidents';
import type { Telemetry } from '@hub/telemetry';
import type pg from 'pg';
import type { UnitCommandPort } from './unit-commands';

export interface SosStatusOptions {
  db: pg.Pool;
  telemetry: Telemetry;
  incidents: IncidentService;
  /** a JT/T 808 terminal cannot take sos.status: refused there with HUB_ERR_JT808_COMMAND_UNSUPPORTED (logged) */
  commands: UnitCommandPort;
  log: Logger;
}

const COMING: ReadonlySet<string> = new Set(['accepted', 'en_route', 'on_scene']);
/** dispatch states that change who is coming */
const TOLD: ReadonlySet<string> = new Set(['accepted', 'en_route', 'on_scene', 'refused', 'timed_out']);

/** Incidents opened by a unit's SOS: the wearer is told about these. */
const isSos = (i: Incident) => i.source === 'alarm' && i.type === 'sos' && i.unitId !== null;

export class SosStatusReporter {
  private readonly unsubscribe: (() => void)[] = [];
  /** incidents already told as opened (an incident event comes on every change) */
  private readonly told = new Set<number>();

  constructor(private readonly opts: SosStatusOptions) {
    const { telemetry, incidents, log } = opts;
    const fail = (err: unknown) => log.warn({ err }, 'sos status not sent');
    const onIncident = (i: Incident) => {
      if (!isSos(i) || this.told.has(i.id)) return;
      this.told.add(i.id);
      this.send(i).catch(fail);
    };
    const onDispatch = (d: DispatchEvent) => {
      if (TOLD.has(d.state)) this.sendFor(d.incidentId).catch(fail);
    };
    const onAlarm = (a: Alarm) => {
      if (a.kind !== 'sos' || !a.acknowledgedAt) return;
      incidents
        .list({ state: 'open', limit: 1000 })
        .then((open) => open.find((i) => i.alarmId === a.id))
        .then((i) => (i && isSos(i) ? this.send(i) : undefined))
        .catch(fail);
    };
    incidents.events.on('incident', onIncident);
    incidents.events.on('dispatch', onDispatch);
    telemetry.bus.on('alarm', onAlarm);
    this.unsubscribe.push(
      () => incidents.events.off('incident', onIncident),
      () => incidents.events.off('dispatch', onDispatch),
      () => telemetry.bus.off('alarm', onAlarm),
    );
  }

  private async sendFor(incidentId: number): Promise<void> {
    const i = await this.opts.incidents.get(incidentId);
    if (isSos(i)) await this.send(i);
  }

  private async send(i: Incident): Promise<void> {
    const { db, commands, incidents } = this.opts;
    const acknowledged = i.alarmId !== null && Boolean((await getAlarm(db, i.alarmId))?.acknowledgedAt);
    const units = i.units.filter((u) => COMING.has(u.state));
    const etas = units.length ? await incidents.nearest({ lat: i.lat, lon: i.lon, limit: units.length, all: true, only: units.map((u) => u.unitId) }) : [];
    const coming: SosHelper[] = units.map((u) => {
      const e = etas.find((x) => x.unitId === u.unitId);
      return { unitId: u.unitId, name: e?.name ?? u.unitId, state: u.state as SosHelper['state'], ...(e && u.state !== 'on_scene' ? { etaSeconds: e.etaSeconds } : {}) };
    });
    await commands.sendCommand(i.unitId!, { id: randomUUID(), ts: Date.now(), type: 'sos.status', incidentId: String(i.id), acknowledged, coming });
  }

  close(): void {
    this.unsubscribe.splice(0).forEach((u) => u());
  }
}
