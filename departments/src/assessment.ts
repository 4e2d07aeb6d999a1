// The departments' assessment ("quotas managed, quotas assessed"): per department and day or
// month, from the trail — cases received, resolved by notice, resolved in time (by the case's
// deadline), overdue (resolved late, or open past it), and the median and 90th percentile of each
// stage: received → dispatched → on scene → resolved, and the whole. Compared with the
// department's quota for the period; ranked over the whole range.
import { ASSESSMENT_STAGES, type AssessmentPeriod, type AssessmentResponse, type DepartmentAssessment, type DepartmentQuota } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { toJson } from '@hub/platform';

/**
 * Each case opened in [from, to), with its milestones from the trail, charged to one department:
 * the one that held it when it went overdue (a transfer afterwards does not move the charge),
 * else the one that holds it (that resolved it, or has it open).
 */
const CASE_TIMES = `
  SELECT coalesce(c.overdue_department_id, c.department_id) AS department_id, i.id, c.due_at,
         to_char(date_trunc($3, i.created_at AT TIME ZONE $4), 'YYYY-MM-DD') AS period,
         min(e.ts) FILTER (WHERE e.kind = 'created') AS received_at,
         min(e.ts) FILTER (WHERE e.to_state = 'dispatched') AS dispatch_at,
         min(e.ts) FILTER (WHERE e.to_state = 'on_scene') AS arrive_at,
         min(e.ts) FILTER (WHERE e.to_state IN ('resolved', 'closed')) AS resolve_at,
         coalesce(bool_or(e.kind = 'resolved_by_notice'), false) AS by_notice,
         coalesce(bool_or(e.kind = 'evidence_overridden'), false) AS by_override
    FROM department_cases c JOIN incidents i ON i.id = c.incident_id JOIN incident_events e ON e.incident_id = i.id
   WHERE i.created_at >= $1 AND i.created_at < $2
   GROUP BY 1, i.id, c.due_at`;

const secs = (a: string, b: string) => `extract(epoch FROM (${a} - ${b}))::float8`;
const STAGE_SQL: Record<(typeof ASSESSMENT_STAGES)[number], string> = {
  dispatch: secs('dispatch_at', 'received_at'),
  arrive: secs('arrive_at', 'dispatch_at'),
  resolve: secs('resolve_at', 'arrive_at'),
  total: secs('resolve_at', 'received_at'),
};

const stats = () =>
  ASSESSMENT_STAGES.map((s) => `count(s_${s}) AS ${s}_n, percentile_cont(0.5) WITHIN GROUP (ORDER BY s_${s}) AS ${s}_median, percentile_cont(0.9) WITHIN GROUP (ORDER BY s_${s}) AS ${s}_p90`).join(
    ', ',
  );

const PER_CASE = `
  SELECT department_id, period, by_notice, by_override,
         resolve_at IS NOT NULL AND resolve_at <= due_at AS in_time,
         (resolve_at IS NOT NULL AND resolve_at > due_at) OR (resolve_at IS NULL AND due_at <= clock_timestamp()) AS overdue,
         ${ASSESSMENT_STAGES.map((s) => `${STAGE_SQL[s]} AS s_${s}`).join(', ')}
    FROM t`;

type Row = Record<string, unknown> & {
  department_id: string;
  name: string;
  quota: unknown;
  period: string;
  received: string;
  by_notice: string;
  in_time: string;
  overdue: string;
  by_override: string;
};

const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);

function check(target: number | undefined, actual: number | null, atLeast: boolean): { target: number | null; actual: number | null; met: boolean | null } {
  if (target === undefined) return { target: null, actual, met: null };
  if (actual === null) return { target, actual, met: atLeast ? false : true };
  return { target, actual, met: atLeast ? actual >= target : actual <= target };
}

function toAssessment(r: Row, period: AssessmentPeriod): DepartmentAssessment {
  const received = Number(r.received);
  const resolvedInTime = Number(r.in_time);
  const overdue = Number(r.overdue);
  const inTimeRate = received ? round(resolvedInTime / received) : null;
  const stages = Object.fromEntries(ASSESSMENT_STAGES.map((s) => [s, { count: Number(r[`${s}_n`]), median: round(r[`${s}_median`]), p90: round(r[`${s}_p90`]) }])) as DepartmentAssessment['stages'];
  const q: DepartmentQuota = toJson<{ day?: DepartmentQuota; month?: DepartmentQuota }>(r.quota)?.[period] ?? {};
  const quota = {
    inTimeRate: check(q.inTimeRate, inTimeRate, true),
    maxOverdue: check(q.maxOverdue, overdue, false),
    maxResolveMedianSeconds: check(q.maxResolveMedianSeconds, stages.total.median, false),
  };
  const set = Object.values(quota).filter((c) => c.met !== null);
  return {
    departmentId: Number(r.department_id),
    name: r.name,
    period: r.period,
    received,
    resolvedByNotice: Number(r.by_notice),
    resolvedInTime,
    overdue,
    closedByOverride: Number(r.by_override),
    inTimeRate,
    stages,
    quota,
    quotaMet: set.length ? set.every((c) => c.met) : null,
  };
}

export async function assessment(db: Queryable, from: Date, to: Date, period: AssessmentPeriod, timeZone: string): Promise<AssessmentResponse> {
  const aggregate = (groupByPeriod: boolean) => `
    WITH t AS (${CASE_TIMES}), p AS (${PER_CASE})
    SELECT d.id AS department_id, d.name, d.quota, ${groupByPeriod ? 'p.period' : "'' AS period"},
           count(p.department_id) AS received, count(*) FILTER (WHERE p.by_notice) AS by_notice,
           count(*) FILTER (WHERE p.in_time) AS in_time, count(*) FILTER (WHERE p.overdue) AS overdue,
           count(*) FILTER (WHERE p.by_override) AS by_override, ${stats()}
      FROM departments d ${groupByPeriod ? 'JOIN' : 'LEFT JOIN'} p ON p.department_id = d.id
     GROUP BY d.id${groupByPeriod ? ', p.period' : ''}
     ORDER BY ${groupByPeriod ? 'p.period, ' : ''}d.id`;
  const params = [from, to, period, timeZone];
  const { rows } = await db.query<Row>(aggregate(true), params);
  const { rows: whole } = await db.query<Row>(aggregate(false), params);
  const ranked = whole
    .map((r) => toAssessment(r, period))
    .sort(
      (a, b) => (b.inTimeRate ?? -1) - (a.inTimeRate ?? -1) || a.overdue - b.overdue || (a.stages.total.median ?? Infinity) - (b.stages.total.median ?? Infinity) || a.departmentId - b.departmentId,
    );
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    period,
    timeZone,
    rows: rows.map((r) => toAssessment(r, period)),
    ranking: ranked.map((a, i) => ({
      rank: i + 1,
      departmentId: a.departmentId,
      name: a.name,
      received: a.received,
      inTimeRate: a.inTimeRate,
      overdue: a.overdue,
      totalMedian: a.stages.total.median,
    })),
  };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per department and period; seconds for the stages; the quota's targets and whether each was met. */
export function assessmentCsv(a: AssessmentResponse): string {
  const header = [
    'period',
    'department',
    'received',
    'resolved_by_notice',
    'resolved_in_time',
    'overdue',
    'in_time_rate',
    ...ASSESSMENT_STAGES.flatMap((s) => [`${s}_count`, `${s}_median_s`, `${s}_p90_s`]),
    'quota_in_time_rate',
    'quota_max_overdue',
    'quota_max_resolve_median_s',
    'quota_met',
    // last, so the columns before keep their places in sheets made from earlier exports
    'closed_by_override',
  ];
  const lines = [header.join(',')];
  for (const r of a.rows) {
    lines.push(
      [
        r.period,
        r.name,
        r.received,
        r.resolvedByNotice,
        r.resolvedInTime,
        r.overdue,
        r.inTimeRate,
        ...ASSESSMENT_STAGES.flatMap((s) => [r.stages[s].count, r.stages[s].median, r.stages[s].p90]),
        r.quota.inTimeRate.target,
        r.quota.maxOverdue.target,
        r.quota.maxResolveMedianSeconds.target,
        r.quotaMet,
        r.closedByOverride,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
