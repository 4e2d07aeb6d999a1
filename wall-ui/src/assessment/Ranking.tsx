// The departments ranked over a range (best first: in-time rate, fewer overdue, the quicker
// median): on the assessment page and on the KPI page.
import type { AssessmentResponse } from '@hub/config';
import { fmt } from '../kpi/charts';

const cell = { border: '1px solid #ccc', padding: '4px 8px', textAlign: 'right' as const };
const name = { ...cell, textAlign: 'left' as const };

/** The ranking over the whole range: the KPI page shows the same table. */
export function Ranking({ data, t }: { data: AssessmentResponse; t: (key: 'rank' | 'department' | 'received' | 'inTimeRate' | 'overdue' | 'stage.total' | 'seconds') => string }) {
  return (
    <table data-testid="ranking" style={{ borderCollapse: 'collapse', marginTop: 8 }}>
      <thead>
        <tr>
          <th style={cell}>{t('rank')}</th>
          <th style={name}>{t('department')}</th>
          <th style={cell}>{t('received')}</th>
          <th style={cell}>{t('inTimeRate')}</th>
          <th style={cell}>{t('overdue')}</th>
          <th style={cell}>
            {t('stage.total')} ({t('seconds')})
          </th>
        </tr>
      </thead>
      <tbody>
        {data.ranking.map((r) => (
          <tr key={r.departmentId} data-testid="ranking-row" data-department={r.name} data-rank={r.rank}>
            <td style={cell}>{r.rank}</td>
            <th style={name} scope="row">
              {r.name}
            </th>
            <td style={cell}>{r.received}</td>
            <td style={cell}>{r.inTimeRate === null ? '–' : `${Math.round(r.inTimeRate * 100)}%`}</td>
            <td style={cell}>{r.overdue}</td>
            <td style={cell}>{fmt(r.totalMedian)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
