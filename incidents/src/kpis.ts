// Response-time KPIs, read from the incidents' event trail. Every duration is in seconds from
// the incident's creation (its `created` event):
//   acknowledge: to the first acknowledgement of a dispatch by a unit,
//   dispatch:    to the first dispatch (state dispatched),
//   arrive:      to the first unit on scene,
//   resolve:     to the first move to resolved.
// Per incident, and per district (the incident's), unit or team (the dispatched unit's, with
// that unit's own acknowledgement and arrival times): counts, medians, 90th percentiles.
import { KPI_METRICS, type IncidentKpi, type KpiGroup, type KpiGroupBy, type KpiResponse, type KpiStat } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toIso } from '@hub/platform';

const secs = (a: string, b = 'created_at') => `extract(epoch FROM (${a} - ${b}))::float8`;

/** Incidents created in [from, to) with the times of their milestones, from the trail. */
const INCIDENT_TIMES = `
  SELECT i.id, i.type, i.district,
         min(e.ts) FILTER (WHERE e.kind = 'created') AS created_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_acknowledged') AS acknowledged_at,
         min(e.ts) FILTER (WHERE e.to_state = 'dispatched') AS dispatched_at,
         min(e.ts) FILTER (WHERE e.to_state = 'on_scene') AS on_scene_at,
         min(e.ts) FILTER (WHERE e.to_state = 'resolved') AS resolved_at
    FROM incidents i JOIN incident_events e ON e.incident_id = i.id
   WHERE i.created_at >= $1 AND i.created_at < $2
   GROUP BY i.id`;

/** Each unit's milestones in each incident, from the trail (events carry detail.unitId). */
const UNIT_TIMES = `
  SELECT e.incident_id, e.detail->>'unitId' AS unit_id,
         min(e.ts) FILTER (WHERE e.kind = 'dispatch_sent') AS sent_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_acknowledged') AS acknowledged_at,
         min(e.ts) FILTER (WHERE e.kind = 'unit_on_scene') AS on_scene_at
    FROM incident_events e
   WHERE e.detail ? 'unitId' AND e.kind IN ('dispatch_sent', 'unit_acknowledged', 'unit_on_scene')
   GROUP BY 1, 2`;

function stats(col: string, name: string): string {
  return `count(${col}) AS ${name}_n,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS ${name}_median,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS ${name}_p90`;
}

type Row = Record<string, unknown> & { key: string | null; incidents: number | string };

function toGroup(r: Row): KpiGroup {
  const stat = (m: string): KpiStat => {
    const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
    return { count: Number(r[`${m}_n`]), median: round(r[`${m}_median`]), p90: round(r[`${m}_p90`]) };
  };
  return {
    key: r.key ?? '(none)',
    incidents: Number(r.incidents),
    acknowledge: stat('acknowledge'),
    dispatch: stat('dispatch'),
    arrive: stat('arrive'),
    resolve: stat('resolve'),
  };
}

export async function kpis(db: Queryable, from: Date, to: Date, groupBy: KpiGroupBy): Promise<KpiResponse> {
  const perIncident = await db.query<Record<string, unknown>>(
    `WITH t AS (${INCIDENT_TIMES})
     SELECT id, type, district, created_at,
            ${secs('acknowledged_at')} AS acknowledge, ${secs('dispatched_at')} AS dispatch,
            ${secs('on_scene_at')} AS arrive, ${secs('resolved_at')} AS resolve
       FROM t ORDER BY created_at, id`,
    [from, to],
  );
  let groups: Row[];
  if (groupBy === 'district') {
    ({ rows: groups } = await db.query<Row>(
      `WITH t AS (${INCIDENT_TIMES}),
            d AS (SELECT district AS key, ${secs('acknowledged_at')} AS a, ${secs('dispatched_at')} AS d,
                         ${secs('on_scene_at')} AS o, ${secs('resolved_at')} AS r FROM t)
       SELECT key, count(*) AS incidents, ${stats('a', 'acknowledge')}, ${stats('d', 'dispatch')}, ${stats('o', 'arrive')}, ${stats('r', 'resolve')}
         FROM d GROUP BY key ORDER BY key NULLS LAST`,
      [from, to],
    ));
  } else {
    const key = groupBy === 'unit' ? 'ut.unit_id' : 'u.team';
    ({ rows: groups } = await db.query<Row>(
      `WITH t AS (${INCIDENT_TIMES}), ut AS (${UNIT_TIMES}),
            d AS (SELECT ${key} AS key, t.id,
                         ${secs('ut.acknowledged_at', 't.created_at')} AS a, ${secs('ut.sent_at', 't.created_at')} AS d,
                         ${secs('ut.on_scene_at', 't.created_at')} AS o, ${secs('t.resolved_at', 't.created_at')} AS r
                    FROM t JOIN ut ON ut.incident_id = t.id LEFT JOIN units u ON u.id = ut.unit_id)
       SELECT key, count(DISTINCT id) AS incidents, ${stats('a', 'acknowledge')}, ${stats('d', 'dispatch')}, ${stats('o', 'arrive')}, ${stats('r', 'resolve')}
         FROM d GROUP BY key ORDER BY key NULLS LAST`,
      [from, to],
    ));
  }
  const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy,
    groups: groups.map(toGroup),
    incidents: perIncident.rows.map((r): IncidentKpi => ({
      incidentId: Number(r.id),
      type: String(r.type),
      district: (r.district as string | null) ?? null,
      createdAt: toIso(r.created_at),
      acknowledgeS: num(r.acknowledge),
      dispatchS: num(r.dispatch),
      arriveS: num(r.arrive),
      resolveS: num(r.resolve),
    })),
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per group: key, incidents, then count/median/p90 of each metric (seconds). */
export function kpisCsv(k: KpiResponse): string {
  const header = [k.groupBy, 'incidents', ...KPI_METRICS.flatMap((m) => [`${m}_count`, `${m}_median_s`, `${m}_p90_s`])];
  const lines = [header.join(',')];
  for (const g of k.groups) {
    lines.push([g.key, g.incidents, ...KPI_METRICS.flatMap((m) => [g[m].count, g[m].median, g[m].p90])].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
