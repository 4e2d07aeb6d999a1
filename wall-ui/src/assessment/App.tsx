// The department assessment page (printable): per period and department, the cases received,
// resolved by notice, in time and overdue, the time per stage, each against the department's
// quota; charts as inline SVG; a CSV download. Figures come from GET /api/departments/assessment.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ASSESSMENT_STAGES, type AssessmentPeriod, type AssessmentResponse, type DepartmentAssessment } from '@hub/config';
import { HubApiError } from '../shared/hub-api';
import { PageLogin } from '../shared/PageLogin';
import { initialToken, login } from '../kpi/api';
import { fmt } from '../kpi/charts';
import { downloadAssessmentCsv, fetchAssessment } from './api';
import { InTimeChart, StageChart, STAGE_COLOURS } from './charts';
import { Ranking } from './Ranking';
import { translator, type Lang, type MessageKey } from './messages';
import './assessment.css';

const DAY = 86_400_000;

function localInput(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

type T = ReturnType<typeof translator>;

export function App({ lang }: { lang: Lang }) {
  const params = new URLSearchParams(location.search);
  const t = useMemo(() => translator(lang), [lang]);
  const [token, setToken] = useState<string | null>(() => initialToken());
  const [from, setFrom] = useState(() => localInput(params.get('from') ? Date.parse(params.get('from')!) : Date.now() - 31 * DAY));
  const [to, setTo] = useState(() => localInput(params.get('to') ? Date.parse(params.get('to')!) : Date.now() + 60_000));
  const [period, setPeriod] = useState<AssessmentPeriod>(() => (params.get('period') === 'day' ? 'day' : 'month'));
  const [data, setData] = useState<AssessmentResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  const range = useCallback(() => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }), [from, to]);
  const load = useCallback(async () => {
    if (!token) return;
    setError(null);
    try {
      const r = range();
      setData(await fetchAssessment(token, r.from, r.to, period));
    } catch (err) {
      if (err instanceof HubApiError && err.status === 401) setToken(null);
      setError(`${t('error')}: ${(err as Error).message}`);
    }
  }, [token, range, period, t]);

  useEffect(() => {
    void load();
    // edited dates apply on "Show"
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token, period]);

  if (!token) return <PageLogin title={t('title')} lang={lang} login={login} onToken={setToken} />;
  const periods = data ? [...new Set(data.rows.map((r) => r.period))] : [];

  return (
    <main className="assessment" data-testid="assessment" data-loaded={data ? 'true' : 'false'}>
      <h1>{t('title')}</h1>
      <form
        className="no-print"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label>
          {t('from')}
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="from" />
        </label>
        <label>
          {t('to')}
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="to" />
        </label>
        <label>
          {t('period')}
          <select value={period} onChange={(e) => setPeriod(e.target.value as AssessmentPeriod)} data-testid="period">
            <option value="day">{t('period.day')}</option>
            <option value="month">{t('period.month')}</option>
          </select>
        </label>
        <button type="submit">{t('refresh')}</button>
        <button type="button" onClick={() => void downloadAssessmentCsv(token, range().from, range().to, period).catch((e: Error) => setError(e.message))}>
          {t('csv')}
        </button>
        <button type="button" onClick={() => window.print()}>
          {t('print')}
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!data && !error && <p>{t('loading')}</p>}
      {data && data.rows.length === 0 && <p data-testid="empty">{t('none')}</p>}
      {data &&
        periods.map((p) => {
          const rows = data.rows.filter((r) => r.period === p);
          return (
            <section key={p} className="period" data-testid="period" data-period={p}>
              <h2>{p}</h2>
              <Table rows={rows} t={t} />
              <div className="charts">
                <InTimeChart rows={rows} title={t('chart.inTime')} />
                <StageChart rows={rows} title={t('chart.stages')} unit={t('seconds')} />
              </div>
              <p className="legend">
                {(['dispatch', 'arrive', 'resolve'] as const).map((s) => (
                  <span key={s}>
                    <i style={{ background: STAGE_COLOURS[s] }} /> {t(`stage.${s}`)}
                  </span>
                ))}
              </p>
            </section>
          );
        })}
      {data && data.ranking.length > 0 && (
        <section>
          <h2>{t('ranking')}</h2>
          <Ranking data={data} t={t} />
        </section>
      )}
      {data && <p className="legend">{t('generated', { zone: data.timeZone })}</p>}
    </main>
  );
}

function quotaText(t: T, r: DepartmentAssessment): string {
  const parts: string[] = [];
  if (r.quota.inTimeRate.target !== null) parts.push(t('quota.inTimeRate', { v: `${Math.round(r.quota.inTimeRate.target * 100)}%` }));
  if (r.quota.maxOverdue.target !== null) parts.push(t('quota.maxOverdue', { v: r.quota.maxOverdue.target }));
  if (r.quota.maxResolveMedianSeconds.target !== null) parts.push(t('quota.maxResolveMedianSeconds', { v: r.quota.maxResolveMedianSeconds.target }));
  return parts.length ? parts.join('; ') : t('quota.none');
}

function Table({ rows, t }: { rows: DepartmentAssessment[]; t: T }) {
  return (
    <table data-testid="assessment-table">
      <thead>
        <tr>
          <th rowSpan={2}>{t('department')}</th>
          <th rowSpan={2}>{t('received')}</th>
          <th rowSpan={2}>{t('byNotice')}</th>
          <th rowSpan={2}>{t('inTime')}</th>
          <th rowSpan={2}>{t('overdue')}</th>
          <th rowSpan={2}>{t('inTimeRate')}</th>
          {ASSESSMENT_STAGES.map((s) => (
            <th key={s} colSpan={2}>
              {t(`stage.${s}` as MessageKey)} ({t('seconds')})
            </th>
          ))}
          <th rowSpan={2}>{t('quota')}</th>
        </tr>
        <tr>{ASSESSMENT_STAGES.flatMap((s) => [<th key={`${s}m`}>{t('median')}</th>, <th key={`${s}p`}>{t('p90')}</th>])}</tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.departmentId} data-testid="assessment-row" data-department={r.name}>
            <th scope="row">{r.name}</th>
            <td data-figure="received">{r.received}</td>
            <td data-figure="resolvedByNotice">{r.resolvedByNotice}</td>
            <td data-figure="resolvedInTime">{r.resolvedInTime}</td>
            <td data-figure="overdue">{r.overdue}</td>
            <td data-figure="inTimeRate">{r.inTimeRate === null ? '–' : `${Math.round(r.inTimeRate * 100)}%`}</td>
            {ASSESSMENT_STAGES.flatMap((s) => [
              <td key={`${s}m`} data-figure={`${s}.median`} data-value={r.stages[s].median ?? ''}>
                {fmt(r.stages[s].median)}
              </td>,
              <td key={`${s}p`} data-figure={`${s}.p90`} data-value={r.stages[s].p90 ?? ''}>
                {fmt(r.stages[s].p90)}
              </td>,
            ])}
            <td className={r.quotaMet === false ? 'missed' : r.quotaMet ? 'met' : ''} data-figure="quota" data-met={String(r.quotaMet)}>
              {quotaText(t, r)}
              {r.quotaMet !== null && ` · ${r.quotaMet ? t('met') : t('missed')}`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
