// Plain SVG bars drawn by React, printable: per department its in-time rate against its quota,
// and its median time per stage stacked (received → dispatched → on scene → resolved).
import type { DepartmentAssessment } from '@hub/config';
import { fmt } from '../kpi/charts';

const W = 520;
const ROW = 26;
const LABEL = 170;
const PAD = 8;
const STAGE_COLOURS = { dispatch: '#60a5fa', arrive: '#f59e0b', resolve: '#10b981' } as const;

function Frame({ title, rows, children, testId }: { title: string; rows: number; children: React.ReactNode; testId: string }) {
  const height = PAD * 2 + rows * ROW + 14;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg width={W} height={height} role="img" aria-label={title}>
        {children}
        <line x1={LABEL} x2={LABEL} y1={PAD} y2={height - 14} stroke="#999" />
      </svg>
    </figure>
  );
}

const label = (name: string, i: number) => (
  <text x={LABEL - 6} y={PAD + i * ROW + ROW / 2 + 4} textAnchor="end" fontSize="12">
    {name}
  </text>
);

export function InTimeChart({ rows, title }: { rows: DepartmentAssessment[]; title: string }) {
  const x = (share: number) => LABEL + (W - LABEL - 60) * share;
  return (
    <Frame title={title} rows={rows.length} testId="chart-in-time">
      {rows.map((r, i) => {
        const y = PAD + i * ROW;
        const target = r.quota.inTimeRate.target;
        return (
          <g key={r.departmentId} data-department={r.name}>
            {label(r.name, i)}
            <rect
              x={LABEL}
              y={y + 4}
              width={Math.max(1, x(r.inTimeRate ?? 0) - LABEL)}
              height={ROW - 8}
              fill={r.quota.inTimeRate.met === false ? '#dc2626' : '#3b82f6'}
              data-value={r.inTimeRate ?? ''}
            />
            {target !== null && <line x1={x(target)} x2={x(target)} y1={y + 1} y2={y + ROW - 1} stroke="#111" strokeWidth="2" data-quota={target} />}
            <text x={W - 56} y={y + ROW / 2 + 4} fontSize="11" fill="#555">
              {r.inTimeRate === null ? '–' : `${Math.round(r.inTimeRate * 100)}%`}
            </text>
          </g>
        );
      })}
    </Frame>
  );
}

export function StageChart({ rows, title, unit }: { rows: DepartmentAssessment[]; title: string; unit: string }) {
  const stages = ['dispatch', 'arrive', 'resolve'] as const;
  const total = (r: DepartmentAssessment) => stages.reduce((n, s) => n + (r.stages[s].median ?? 0), 0);
  const max = Math.max(1, ...rows.map(total));
  const w = (v: number) => ((W - LABEL - 70) * v) / max;
  return (
    <Frame title={title} rows={rows.length} testId="chart-stages">
      {rows.map((r, i) => {
        const y = PAD + i * ROW;
        let at = LABEL;
        return (
          <g key={r.departmentId} data-department={r.name}>
            {label(r.name, i)}
            {stages.map((s) => {
              const v = r.stages[s].median;
              if (v === null) return null;
              const bar = <rect key={s} x={at} y={y + 4} width={Math.max(1, w(v))} height={ROW - 8} fill={STAGE_COLOURS[s]} data-stage={s} data-value={v} />;
              at += Math.max(1, w(v));
              return bar;
            })}
            <text x={W - 66} y={y + ROW / 2 + 4} fontSize="11" fill="#555">
              {total(r) === 0 ? '–' : `${fmt(total(r))} ${unit}`}
            </text>
          </g>
        );
      })}
    </Frame>
  );
}

export { STAGE_COLOURS };
