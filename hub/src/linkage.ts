// Emergency linkage: what an alarm (or an external event) sets in motion, by the rules in
// config `linkage.rules`: open an incident, start the unit's camera, record it while the
// incident is open, tell the walls to open the camera, propose the nearest units, and
// escalate to a supervisor when nobody acknowledged in time.
import type { Logger } from 'pino';
import type { Alarm, HubConfig, Incident, LinkageRule, NearestUnit } from '@hub/config';
import type { Telemetry } from '@hub/telemetry';
import { insertAlarm, getAlarm } from '@hub/alarms';
import { latestPosition } from '@hub/telemetry';
import { appendEvent, type IncidentService } from '@hub/incidents';
import type pg from 'pg';
import type { DispatchEvent } from '@hub/config';
import type { Media } from './media';

export interface LinkageOptions {
  config: HubConfig;
  db: pg.Pool;
  telemetry: Telemetry;
  incidents: IncidentService;
  media: Media | undefined;
  /** true while something else handles the incident first (a notice's grace period): its linkage waits for the next announcement; default never */
  holds?: (incidentId: number) => Promise<boolean>;
  log: Logger;
}

export class Linkage {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[] = [];
  /** incidents whose linkage ran (external ones are seen through incident events) */
  private readonly linked = new Set<number>();
  /** recordings (ids) made for each open incident */
  private readonly recording = new Map<number, Set<string>>();
  private closed = false;

  constructor(private readonly opts: LinkageOptions) {
    const { telemetry, incidents } = opts;
    const onAlarm = (a: Alarm) => {
      // a new alarm only: an acknowledgement or a repeat counted by flood control comes as the same alarm again
      if (a.acknowledgedAt || a.repeats > 0 || a.kind === 'escalation') return;
      this.onAlarm(a).catch((err: unknown) => opts.log.error({ err, alarmId: a.id }, 'linkage failed'));
    };
    const onIncident = (i: Incident) => {
      this.onIncident(i).catch((err: unknown) => opts.log.error({ err, incidentId: i.id }, 'linkage failed'));
    };
    // a unit sent to an incident whose rule records: its camera is recorded too
    const onDispatch = (d: DispatchEvent) => {
      if (d.state !== 'sent') return;
      incidents.get(d.incidentId).then(
        (i) => (this.rule(i.type).record ? this.startCamera(d.unitId, i.id, true) : undefined),
        (err: unknown) => opts.log.error({ err, incidentId: d.incidentId }, 'linkage failed'),
      );
    };
    telemetry.bus.on('alarm', onAlarm);
    incidents.events.on('incident', onIncident);
    incidents.events.on('dispatch', onDispatch);
    this.unsubscribe.push(
      () => telemetry.bus.off('alarm', onAlarm),
      () => incidents.events.off('incident', onIncident),
      () => incidents.events.off('dispatch', onDispatch),
    );
  }

  rule(type: string): LinkageRule {
    const rules = this.opts.config.linkage.rules as Record<string, LinkageRule>;
    return rules[type] ?? rules.external!;
  }

  private async onAlarm(alarm: Alarm): Promise<void> {
    const rule = this.rule(alarm.kind);
    const { incidents, log } = this.opts;
    if (!rule.createIncident && !rule.openCameras && !rule.startStream && rule.proposeNearest === 0) return;
    let lat = alarm.lat;
    let lon = alarm.lon;
    if (lat === null || lon === null) {
      const p = await latestPosition(this.opts.db, alarm.unitId);
      [lat, lon] = p ? [p.lat, p.lon] : [null, null];
    }
    let incident: Incident | undefined;
    if (rule.createIncident) {
      if (lat === null || lon === null) {
        log.warn({ alarmId: alarm.id, unitId: alarm.unitId }, 'no position for the alarm: no incident opened');
      } else {
        // the same unit's same alarm while its incident is open joins that incident
        const open = (await incidents.list({ state: 'open', limit: 1000 })).find((i) => i.source === 'alarm' && i.unitId === alarm.unitId && i.type === alarm.kind);
        if (open) {
          await incidents.mergeReport(open.id, 'linkage', { alarmId: alarm.id });
          return;
        }
        incident = await incidents.create({
          type: alarm.kind,
          source: 'alarm',
          alarmId: alarm.id,
          unitId: alarm.unitId,
          lat,
          lon,
          note: typeof alarm.details.message === 'string' ? alarm.details.message : null,
          createdBy: 'linkage',
        });
        this.linked.add(incident.id);
      }
    }
    if (rule.startStream || rule.record) void this.startCamera(alarm.unitId, incident?.id, rule.record);
    const nearest = lat !== null && lon !== null ? await this.nearest(rule, lat, lon, [alarm.unitId]) : [];
    if (incident) {
      incidents.events.emit('linkage', {
        incidentId: incident.id,
        alarmId: alarm.id,
        lat: incident.lat,
        lon: incident.lon,
        unitId: alarm.unitId,
        openCameras: rule.openCameras ? [alarm.unitId] : [],
        nearest,
      });
      this.escalateLater(incident.id, alarm.id, rule);
    }
  }

  /** External incidents: their rule by type (or `external`), on their first report. */
  private async onIncident(incident: Incident): Promise<void> {
    if (incident.state === 'resolved' || incident.state === 'closed') {
      await this.stopRecordings(incident.id);
      return;
    }
    if (incident.source !== 'external' || this.linked.has(incident.id)) return;
    if (await this.opts.holds?.(incident.id)) return;
    if (this.linked.has(incident.id)) return; // announced again while the hold was asked
    this.linked.add(incident.id);
    const rule = this.rule(incident.type);
    if (!rule.createIncident) return;
    const nearest = await this.nearest(rule, incident.lat, incident.lon, []);
    this.opts.incidents.events.emit('linkage', { incidentId: incident.id, lat: incident.lat, lon: incident.lon, openCameras: [], nearest });
    this.escalateLater(incident.id, undefined, rule);
  }

  private async nearest(rule: LinkageRule, lat: number, lon: number, exclude: string[]): Promise<NearestUnit[]> {
    if (rule.proposeNearest === 0) return [];
    return this.opts.incidents.nearest({ lat, lon, limit: rule.proposeNearest, types: rule.nearestTypes, exclude });
  }

  private async startCamera(unitId: string, incidentId: number | undefined, record: boolean): Promise<void> {
    const { media, log } = this.opts;
    if (!media) return;
    let streamId: string;
    try {
      ({ streamId } = await media.onDemand.start(unitId));
    } catch (err) {
      log.warn({ err, unitId }, 'linkage: the unit’s camera did not start');
      return;
    }
    if (!record || incidentId === undefined || this.closed) return;
    try {
      // the recorder answers with the running recording when this stream is already recorded for the incident
      const recording = await media.recorder.start(streamId, { reason: 'incident', incidentId: String(incidentId), unitId, by: 'linkage' });
      const set = this.recording.get(incidentId) ?? new Set<string>();
      set.add(recording.id);
      this.recording.set(incidentId, set);
      // the incident may have ended while the camera started
      const now = await this.opts.incidents.get(incidentId);
      if (now.state === 'resolved' || now.state === 'closed') await this.stopRecordings(incidentId);
    } catch (err) {
      log.warn({ err, unitId, incidentId }, 'linkage: recording did not start');
    }
  }

  private async stopRecordings(incidentId: number): Promise<void> {
    const recordings = this.recording.get(incidentId);
    if (!recordings || !this.opts.media) return;
    this.recording.delete(incidentId);
    for (const recordingId of recordings) {
      try {
        await this.opts.media.recorder.stop(recordingId, { by: 'linkage' });
      } catch (err) {
        this.opts.log.warn({ err, recordingId, incidentId }, 'linkage: recording did not stop');
      }
    }
  }

  /**
   * Escalates when, after `escalateAfterSeconds`, the alarm is still unacknowledged and the
   * incident still only reported (nobody dispatched): a live `escalation` event, an entry in
   * the incident's trail and the audit log, and an `escalation` alarm for the supervisors.
   */
  private escalateLater(incidentId: number, alarmId: number | undefined, rule: LinkageRule): void {
    if (!rule.escalateAfterSeconds || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.escalate(incidentId, alarmId, rule.escalateAfterSeconds).catch((err: unknown) => this.opts.log.error({ err, incidentId }, 'escalation failed'));
    }, rule.escalateAfterSeconds * 1000);
    timer.unref();
    this.timers.add(timer);
  }

  private async escalate(incidentId: number, alarmId: number | undefined, afterSeconds: number): Promise<void> {
    if (this.closed) return;
    const { telemetry, incidents, db, log } = this.opts;
    const incident = await incidents.get(incidentId);
    if (incident.state !== 'reported') return;
    if (alarmId !== undefined && (await getAlarm(db, alarmId))?.acknowledgedAt) return;
    const ts = new Date();
    await appendEvent(db, { incidentId, actor: 'linkage', kind: 'escalated', detail: { alarmId: alarmId ?? null, afterSeconds } });
    await incidents.opts.audit?.({ actor: 'linkage', action: 'incident_escalated', target: `incident:${incidentId}`, detail: { alarmId: alarmId ?? null, afterSeconds } });
    const alarm = await insertAlarm(db, {
      unitId: incident.unitId ?? 'hub',
      kind: 'escalation',
      ts,
      lat: incident.lat,
      lon: incident.lon,
      details: { incidentId, alarmId: alarmId ?? null, afterSeconds, type: incident.type },
    });
    telemetry.bus.emit('alarm', alarm);
    incidents.events.emit('escalation', { incidentId, ...(alarmId !== undefined ? { alarmId } : {}), afterSeconds, ts: ts.toISOString() });
    log.warn({ incidentId, alarmId, afterSeconds }, 'incident escalated: nobody acknowledged in time');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.unsubscribe.splice(0).forEach((u) => u());
  }
}
