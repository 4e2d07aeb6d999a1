// Plain SVG charts drawn by React: one bar per group (the median) with a line at the 90th percentile.
import type { KpiGroup, KpiMetric } from '@hub/config';

const W = 420;
const ROW = 26;
const LABEL = 120;
const PAD = 8;

export function MetricChart({ metric, groups, title, unit }: { metric: KpiMetric; groups: KpiGroup[]; title: string; unit: string }) {
  const max = Math.max(1, ...groups.map((g) => g[metric].p90 ?? g[metric].median ?? 0));
  const x = (v: number) => LABEL + ((W - LABEL - 60) * v) / max;
  const height = PAD * 2 + groups.length * ROW + 14;
  return (
    <figure className="chart" data-testid={`chart-${metric}`}>
      <figcaption>{title}</figcaption>
      <svg width={W} height={height} role="img" aria-label={title}>
        {groups.map((g, i) => {
          const s = g[metric];
          const y = PAD + i * ROW;
          return (
            <g key={g.key} data-group={g.key}>
              <text x={LABEL - 6} y={y + ROW / 2 + 4} textAnchor="end" fontSize="12">
                {g.key}
              </text>
              {s.median !== null && <rect className="bar" x={LABEL} y={y + 4} width={Math.max(1, x(s.median) - LABEL)} height={ROW - 8} fill="#3b82f6" data-value={s.median} />}
              {s.p90 !== null && <line className="p90" x1={x(s.p90)} x2={x(s.p90)} y1={y + 2} y2={y + ROW - 2} stroke="#dc2626" strokeWidth="2" data-value={s.p90} />}
              <text x={W - 56} y={y + ROW / 2 + 4} fontSize="11" fill="#555">
                {s.median === null ? '–' : `${fmt(s.median)} ${unit}`}
              </text>
            </g>
          );
        })}
        <line x1={LABEL} x2={LABEL} y1={PAD} y2={height - 14} stroke="#999" />
        <text x={LABEL} y={height - 2} fontSize="10" fill="#777">
          0
        </text>
        <text x={x(max)} y={height - 2} fontSize="10" fill="#777" textAnchor="middle">{`${fmt(max)} ${unit}`}</text>
      </svg>
    </figure>
  );
}

/** Seconds as shown: one decimal below 100, whole above. */
export function fmt(v: number | null): string {
  if (v === null) return '–';
  return v < 100 ? v.toFixed(1) : Math.round(v).toString();
}
