// Response-time KPIs, read from the incidents' event trail. Every duration is in seconds from
// the incident's creation (its `created` event):
//   acknowledge: an operator acknowledged the incident's alarm (the alarm's acknowledged_at),
//   dispatch:    the first dispatch (state dispatched),
//   deliver:     the first dispatched device confirmed receipt (cmd/ack: the transport),
//   accept:      the first person accepted (cmd/answer: a human decision),
//   arrive:      the first unit on scene,
//   resolve:     the first move to resolved.
// Incidents resolved by notice (the subject put it right within its grace period: the
// notice loop's best outcome) are counted apart as well (`resolvedByNotice`).
// Per incident, and per district (the incident's), unit or team (the dispatched unit's, with
// that unit's own delivery, acceptance and arrival times): counts, medians, 90th percentiles.
import { KPI_METRICS, type IncidentKpi, type KpiGroup, type KpiGroupBy, type KpiMetric, type KpiResponse, type KpiStat } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';

const secs = (a: string, b = 'created_at') => `extract(epoch FROM (${a} - ${b}))::float8`;

/** Incidents created in [from, to) with the times of their milestones, from the trail (and the alarm). */
const INCIDENT_TIMES = `
  SELECT i.id, i.type, i.district,
         min(e.ts) FILTER (WHERE e.kind = 'created') AS created_at,
         (SELECT a.acknowledged_at FROM alarms a WHERE a.id = i.alarm_id) AS acknowledge_at,
         min(e.ts) FILTER (WHERE e.to_state = 'dispatched') AS dispatch_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_delivered') AS deliver_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_accepted') AS accept_at,
         min(e.ts) FILTER (WHERE e.to_state = 'on_scene') AS arrive_at,
         min(e.ts) FILTER (WHERE e.to_state = 'resolved') AS resolve_at,
         coalesce(bool_or(e.kind = 'resolved_by_notice'), false) AS by_notice
    FROM incidents i JOIN incident_events e ON e.incident_id = i.id
   WHERE i.created_at >= $1 AND i.created_at < $2
   GROUP BY i.id`;

/** Each unit's milestones in each incident, from the trail (events carry detail.unitId). */
const UNIT_TIMES = `
  SELECT e.incident_id, e.detail->>'unitId' AS unit_id,
         min(e.ts) FILTER (WHERE e.kind = 'dispatch_sent') AS dispatch_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_delivered') AS deliver_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_accepted') AS accept_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_on_scene') AS arrive_at
    FROM incident_events e
   WHERE e.detail ? 'unitId' AND e.kind IN ('dispatch_sent', 'unit_delivered', 'unit_accepted', 'unit_on_scene')
   GROUP BY 1, 2`;

/** Per unit or team, each metric's time: the unit's own where it has one, else the incident's. */
const UNIT_OWN: ReadonlySet<KpiMetric> = new Set(['dispatch', 'deliver', 'accept', 'arrive']);

function stats(col: string, name: string): string {
  return `count(${col}) AS ${name}_n,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS ${name}_median,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS ${name}_p90`;
}
const allStats = () => KPI_METRICS.map((m) => stats(`s_${m}`, m)).join(', ');

type Row = Record<string, unknown> & { key: string | null; incidents: number | string };

const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);

function toGroup(r: Row): KpiGroup {
  const stat = (m: string): KpiStat => ({ count: Number(r[`${m}_n`]), median: round(r[`${m}_median`]), p90: round(r[`${m}_p90`]) });
  const g = { key: r.key ?? '(none)', incidents: Number(r.incidents), resolvedByNotice: Number(r.by_notice ?? 0) } as KpiGroup;
  for (const m of KPI_METRICS) g[m] = stat(m);
  return g;
}

export async function kpis(db: Queryable, from: Date, to: Date, groupBy: KpiGroupBy): Promise<KpiResponse> {
  const perIncident = await db.query<Record<string, unknown>>(
    `WITH t AS (${INCIDENT_TIMES})
     SELECT id, type, district, created_at, by_notice, ${KPI_METRICS.map((m) => `${secs(`${m}_at`)} AS s_${m}`).join(', ')}
       FROM t ORDER BY created_at, id`,
    [from, to],
  );
  let groups: Row[];
  if (groupBy === 'district') {
    ({ rows: groups } = await db.query<Row>(
      `WITH t AS (${INCIDENT_TIMES}),
            d AS (SELECT district AS key, by_notice, ${KPI_METRICS.map((m) => `${secs(`${m}_at`)} AS s_${m}`).join(', ')} FROM t)
       SELECT key, count(*) AS incidents, count(*) FILTER (WHERE by_notice) AS by_notice, ${allStats()}
         FROM d GROUP BY key ORDER BY key NULLS LAST`,
      [from, to],
    ));
  } else {
    const key = groupBy === 'unit' ? 'ut.unit_id' : 'u.team';
    const col = (m: KpiMetric) => `${secs(`${UNIT_OWN.has(m) ? 'ut' : 't'}.${m}_at`, 't.created_at')} AS s_${m}`;
    ({ rows: groups } = await db.query<Row>(
      `WITH t AS (${INCIDENT_TIMES}), ut AS (${UNIT_TIMES}),
            d AS (SELECT ${key} AS key, t.id, t.by_notice, ${KPI_METRICS.map(col).join(', ')}
                    FROM t JOIN ut ON ut.incident_id = t.id LEFT JOIN units u ON u.id = ut.unit_id)
       SELECT key, count(DISTINCT id) AS incidents, count(DISTINCT id) FILTER (WHERE by_notice) AS by_notice, ${allStats()}
         FROM d GROUP BY key ORDER BY key NULLS LAST`,
      [from, to],
    ));
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy,
    groups: groups.map(toGroup),
    incidents: perIncident.rows.map((r): IncidentKpi => {
      const k = {
        incidentId: Number(r.id),
        type: String(r.type),
        district: (r.district as string | null) ?? null,
        createdAt: toIso(r.created_at),
        resolvedByNotice: r.by_notice === true,
      } as IncidentKpi;
      for (const m of KPI_METRICS) k[`${m}S`] = round(r[`s_${m}`]);
      return k;
    }),
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per group: key, incidents, then count/median/p90 of each metric (seconds), then how many were resolved by notice. */
export function kpisCsv(k: KpiResponse): string {
  // resolved_by_notice last: the columns before it keep their places for older readers
  const header = [k.groupBy, 'incidents', ...KPI_METRICS.flatMap((m) => [`${m}_count`, `${m}_median_s`, `${m}_p90_s`]), 'resolved_by_notice'];
  const lines = [header.join(',')];
  for (const g of k.groups) {
    lines.push([g.key, g.incidents, ...KPI_METRICS.flatMap((m) => [g[m].count, g[m].median, g[m].p90]), g.resolvedByNotice].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
