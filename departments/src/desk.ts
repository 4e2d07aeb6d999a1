// The departments' desk: a case is routed to one department when its incident opens (by type and
// district, in the opening's transaction, written in the trail), may be transferred with a
// reason, and carries a deadline per type (a transfer keeps it). An open case past its deadline
// raises one escalation alarm to the department that holds it then, and the centre: the row is
// claimed by an UPDATE … WHERE overdue_at IS NULL, so of two hubs (or a timer left from before a
// restart) only one raises it; the claim names that department, which the overdue stays charged
// to if the case is transferred afterwards.
import type { Logger } from 'pino';
import type { DepartmentCase, DepartmentsConfig, Incident } from '@hub/config';
import type { IncidentService } from '@hub/incidents';
import { appendEvent, WakeTimers, withTransaction } from '@hub/incidents';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';
import { TransferError } from './errors';
import { anyDepartment, casesAwaitingDeadline, departmentFor, getCase, getDepartment, insertCase } from './store';

/** The overdue escalation: an alarm on the wall (it returns what to announce after the commit). */
export type OverdueAlarm = (tx: Queryable, incident: { id: number; unitId: string | null; lat: number; lon: number }, details: Record<string, unknown>) => Promise<() => void>;

export interface DepartmentDeskOptions {
  db: Queryable;
  incidents: IncidentService;
  settings: DepartmentsConfig;
  raiseAlarm: OverdueAlarm;
  log: Logger;
}

const OPEN = ['reported', 'dispatched', 'en_route', 'on_scene'];
const ACTOR = 'departments';

export class DepartmentDesk {
  /** the deadlines' timers (the database holds each deadline; these only wake the hub) */
  private readonly timers: WakeTimers;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  private constructor(private readonly opts: DepartmentDeskOptions) {
    this.timers = new WakeTimers(
      (incidentId) => this.deadlinePassed(incidentId),
      (err, incidentId) => opts.log.error({ err, incidentId }, 'deadline not handled'),
    );
  }

  static async start(opts: DepartmentDeskOptions): Promise<DepartmentDesk> {
    const desk = new DepartmentDesk(opts);
    const hook = (tx: Queryable, incident: Incident) => desk.route(tx, incident);
    opts.incidents.openHooks.add(hook);
    desk.unsubscribe.push(() => opts.incidents.openHooks.delete(hook));
    // after a restart: the deadlines still to come (or passed while the hub was down) wake it again
    for (const c of await casesAwaitingDeadline(opts.db)) desk.schedule(c.incidentId, c.dueAt);
    return desk;
  }

  /**
   * The deadline of a case, seconds from its opening: the department's own for the most specific
   * of its case types that it names, else the hub's for the incident's type, else the default.
   */
  deadlineSeconds(type: string, department?: { deadlines: Record<string, number> }, caseTypes: readonly string[] = [type]): number {
    const own = caseTypes.map((c) => department?.deadlines[c]).find((s) => s !== undefined);
    return own ?? this.opts.settings.deadlines[type] ?? this.opts.settings.defaultDeadlineSeconds;
  }

  /** The case types an incident is routed as, most specific first: a hotline complaint by its category, then `hotline`. */
  private async caseTypesOf(tx: Queryable, incident: Incident): Promise<string[]> {
    if (incident.type !== 'hotline' || incident.externalSource !== '12319' || !incident.externalId) return [incident.type];
    const { rows } = await tx.query<{ category: string }>('SELECT category FROM hotline_complaints WHERE id = $1', [Number(incident.externalId)]);
    return rows[0] ? [`hotline:${rows[0].category}`, rows[0].category, 'hotline'] : ['hotline'];
  }

  /** The open hook: the case goes to the department for its type and district, with its deadline. */
  private async route(tx: Queryable, incident: Incident): Promise<(() => void) | undefined> {
    const caseTypes = await this.caseTypesOf(tx, incident);
    const department = await departmentFor(tx, caseTypes, incident.district);
    if (!department) {
      // an alarm's incident (SOS) is the centre's own; an outside report nobody answers for is said, once the city has departments
      if (incident.source !== 'alarm' && (await anyDepartment(tx)))
        await appendEvent(tx, { incidentId: incident.id, actor: ACTOR, kind: 'department_unrouted', detail: { caseTypes, district: incident.district } });
      return undefined;
    }
    const c = await insertCase(tx, incident.id, department.id, this.deadlineSeconds(incident.type, department, caseTypes));
    await appendEvent(tx, {
      incidentId: incident.id,
      actor: ACTOR,
      kind: 'department_routed',
      detail: { departmentId: department.id, department: department.name, caseType: caseTypes[0], district: incident.district, dueAt: c.dueAt },
    });
    return () => this.schedule(incident.id, c.dueAt);
  }

  /** Moves an open case to another department, with the reason in the trail; its deadline stays. */
  async transfer(incidentId: number, departmentId: number, reason: string, actor: string): Promise<DepartmentCase> {
    const to = await getDepartment(this.opts.db, departmentId);
    const moved = await withTransaction(this.opts.db, async (tx) => {
      const { rows } = await tx.query<{ state: string }>('SELECT state FROM incidents WHERE id = $1 FOR UPDATE', [incidentId]);
      if (!rows[0]) throw new TransferError(incidentId, 'it does not exist');
      if (!OPEN.includes(rows[0].state)) throw new TransferError(incidentId, `it is ${rows[0].state}`);
      const from = await getCase(tx, incidentId, true);
      if (from?.departmentId === departmentId) throw new TransferError(incidentId, `it is with ${to.name} already`);
      if (from) {
        await tx.query(`UPDATE department_cases SET department_id = $2, routed_by = 'transfer', routed_at = clock_timestamp() WHERE incident_id = $1`, [incidentId, departmentId]);
      } else {
        const { rows: i } = await tx.query<{ type: string }>('SELECT type FROM incidents WHERE id = $1', [incidentId]);
        await insertCase(tx, incidentId, departmentId, this.deadlineSeconds(i[0]!.type, to));
        await tx.query(`UPDATE department_cases SET routed_by = 'transfer' WHERE incident_id = $1`, [incidentId]);
      }
      await appendEvent(tx, {
        incidentId,
        actor,
        kind: 'department_transferred',
        detail: { fromDepartmentId: from?.departmentId ?? null, from: from?.departmentName ?? null, departmentId, department: to.name, reason },
      });
      return (await getCase(tx, incidentId))!;
    });
    if (!moved.overdueAt) this.schedule(incidentId, moved.dueAt);
    this.opts.log.info({ incidentId, departmentId, actor }, 'case transferred');
    await this.opts.incidents.touch(incidentId);
    return moved;
  }

  private schedule(incidentId: number, dueAt: Date | string): void {
    this.timers.at(incidentId, dueAt);
  }

  /** The deadline's timer: the case is claimed once, written in the trail, and the alarm raised, in one transaction. */
  private async deadlinePassed(incidentId: number): Promise<void> {
    if (this.closed) return;
    type Outcome = { later: Date | string } | { announce: () => void; department: string } | undefined;
    const out = await withTransaction(this.opts.db, async (tx): Promise<Outcome> => {
      const { rows } = await tx.query<{ department_id: string; due_at: Date; overdue_at: Date | null; claimed: boolean; due: boolean; open: boolean }>(
        `WITH claim AS (
           UPDATE department_cases c SET overdue_at = clock_timestamp(), overdue_department_id = c.department_id
             FROM incidents i
            WHERE c.incident_id = $1 AND i.id = c.incident_id AND c.overdue_at IS NULL AND c.due_at <= clock_timestamp()
              AND i.state IN ('reported', 'dispatched', 'en_route', 'on_scene')
           RETURNING c.incident_id)
         SELECT c.department_id, c.due_at, c.overdue_at, EXISTS (SELECT 1 FROM claim) AS claimed, c.due_at <= clock_timestamp() AS due,
                i.state IN ('reported', 'dispatched', 'en_route', 'on_scene') AS open
           FROM department_cases c JOIN incidents i ON i.id = c.incident_id WHERE c.incident_id = $1`,
        [incidentId],
      );
      const c = rows[0];
      if (!c || !c.claimed) return c && c.open && !c.due && !c.overdue_at ? { later: c.due_at as Date | string } : undefined;
      const department = await getDepartment(tx, Number(c.department_id));
      const { rows: i } = await tx.query<{ id: string; type: string; unit_id: string | null; lat: number; lon: number; state: string }>('SELECT * FROM incidents WHERE id = $1', [incidentId]);
      const incident = i[0]!;
      const dueAt = toIso(c.due_at);
      await appendEvent(tx, { incidentId, actor: ACTOR, kind: 'department_overdue', detail: { departmentId: department.id, department: department.name, dueAt, state: incident.state } });
      // to the department and to the centre: the alarm names both, the wall shows it to every operator
      const announce = await this.opts.raiseAlarm(
        tx,
        { id: incidentId, unitId: incident.unit_id, lat: incident.lat, lon: incident.lon },
        {
          incidentId,
          type: incident.type,
          reason: 'overdue',
          departmentId: department.id,
          department: department.name,
          dueAt,
          to: [`department:${department.id}`, 'centre'],
        },
      );
      return { announce, department: department.name };
    });
    if (!out) return;
    if ('later' in out) return this.schedule(incidentId, out.later);
    out.announce();
    this.opts.log.warn({ incidentId, department: out.department }, 'case overdue at its department: escalated');
    await this.opts.incidents.touch(incidentId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe.splice(0).forEach((u) => u());
    this.timers.close();
  }
}
