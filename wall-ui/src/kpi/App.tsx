// The KPI page: response times per unit, team or district over a period, as a table and
// charts, with a CSV download. Figures come from GET /api/kpis.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { KPI_METRICS, type AssessmentResponse, type KpiGroupBy, type KpiMetric, type KpiResponse } from '@hub/config';
import { fetchAssessment } from '../assessment/api';
import { Ranking } from '../assessment/Ranking';
import { HubApiError } from '../shared/hub-api';
import { PageLogin } from '../shared/PageLogin';
import { downloadCsv, fetchKpis, initialToken, login } from './api';
import { MetricChart, fmt } from './charts';
import { pickLang, translator, type MessageKey } from './messages';

/** every figure the API reports, in its order: the operator's acknowledgement, then the device's delivery beside the person's acceptance */
const METRICS: readonly KpiMetric[] = KPI_METRICS;
const DAY = 86_400_000;

/** yyyy-mm-ddThh:mm in local time, for datetime-local inputs. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function App() {
  const params = new URLSearchParams(location.search);
  // the page's language is read once, from the address it was opened with
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const lang = useMemo(() => pickLang(params.get('lang'), navigator.language), []);
  const t = useMemo(() => translator(lang), [lang]);
  const [token, setToken] = useState<string | null>(() => initialToken());
  const [from, setFrom] = useState(() => (params.get('from') ? localInput(Date.parse(params.get('from')!)) : localInput(Date.now() - 7 * DAY)));
  const [to, setTo] = useState(() => (params.get('to') ? localInput(Date.parse(params.get('to')!)) : localInput(Date.now() + 60_000)));
  const [groupBy, setGroupBy] = useState<KpiGroupBy>(() => (['unit', 'team', 'district'].includes(params.get('groupBy') ?? '') ? (params.get('groupBy') as KpiGroupBy) : 'district'));
  const [data, setData] = useState<KpiResponse | null>(null);
  const [ranking, setRanking] = useState<AssessmentResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const range = useCallback(() => ({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }), [from, to]);
  const load = useCallback(async () => {
    if (!token) return;
    setLoading(true);
    setError(null);
    try {
      const r = range();
      const [k, a] = await Promise.all([fetchKpis(token, r.from, r.to, groupBy), fetchAssessment(token, r.from, r.to, 'month')]);
      setData(k);
      setRanking(a);
    } catch (err) {
      if (err instanceof HubApiError && err.status === 401) setToken(null);
      setError(`${t('error')}: ${(err as Error).message}`);
    } finally {
      setLoading(false);
    }
  }, [token, range, groupBy, t]);

  useEffect(() => {
    void load();
    // edited dates apply when the operator presses the button, not on every keystroke
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token, groupBy]);

  if (!token) return <PageLogin title={t('title')} lang={lang} login={login} onToken={setToken} />;

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 16, color: '#111' }}>
      <h1>{t('title')}</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
        style={{ display: 'flex', gap: 12, alignItems: 'end', flexWrap: 'wrap' }}
      >
        <label>
          {t('from')}
          <br />
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="from" />
        </label>
        <label>
          {t('to')}
          <br />
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="to" />
        </label>
        <label>
          {t('groupBy')}
          <br />
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as KpiGroupBy)} data-testid="group-by">
            {(['unit', 'team', 'district'] as const).map((g) => (
              <option key={g} value={g}>
                {t(`groupBy.${g}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('refresh')}</button>
        <button type="button" onClick={() => void downloadCsv(token, range().from, range().to, groupBy).catch((e: Error) => setError(e.message))}>
          {t('csv')}
        </button>
      </form>
      {error && (
        <p role="alert" style={{ color: '#b91c1c' }}>
          {error}
        </p>
      )}
      {loading && !data && <p>{t('loading')}</p>}
      {data && data.groups.length === 0 && <p data-testid="empty">{t('none')}</p>}
      {data && data.groups.length > 0 && (
        <>
          <table data-testid="kpi-table" style={{ borderCollapse: 'collapse', marginTop: 16 }}>
            <thead>
              <tr>
                <th rowSpan={2} style={cell}>
                  {t(`groupBy.${data.groupBy}` as MessageKey)}
                </th>
                <th rowSpan={2} style={cell}>
                  {t('incidents')}
                </th>
                {METRICS.map((m) => (
                  <th key={m} colSpan={3} style={cell}>
                    {t(`metric.${m}` as MessageKey)} ({t('seconds')})
                  </th>
                ))}
              </tr>
              <tr>
                {METRICS.flatMap((m) => [
                  <th key={`${m}n`} style={cell}>
                    {t('count')}
                  </th>,
                  <th key={`${m}m`} style={cell}>
                    {t('median')}
                  </th>,
                  <th key={`${m}p`} style={cell}>
                    {t('p90')}
                  </th>,
                ])}
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g) => (
                <tr key={g.key} data-testid={`row-${g.key}`} data-group={g.key}>
                  <td style={cell}>{g.key}</td>
                  <td style={cell} data-kpi="incidents" data-value={g.incidents}>
                    {g.incidents}
                  </td>
                  {METRICS.flatMap((m) => [
                    <td key={`${m}n`} style={cell} data-kpi={`${m}.count`} data-value={g[m].count}>
                      {g[m].count}
                    </td>,
                    <td key={`${m}m`} style={cell} data-kpi={`${m}.median`} data-value={g[m].median ?? ''}>
                      {fmt(g[m].median)}
                    </td>,
                    <td key={`${m}p`} style={cell} data-kpi={`${m}.p90`} data-value={g[m].p90 ?? ''}>
                      {fmt(g[m].p90)}
                    </td>,
                  ])}
                </tr>
              ))}
            </tbody>
          </table>
          <p style={{ color: '#555', fontSize: 12 }}>{t('legend')}</p>
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 24 }}>
            {METRICS.map((m) => (
              <MetricChart key={m} metric={m} groups={data.groups} title={t(`metric.${m}` as MessageKey)} unit={t('seconds')} />
            ))}
          </div>
        </>
      )}
      {ranking && ranking.ranking.length > 0 && (
        <section data-testid="department-ranking">
          <h2>{t('ranking')}</h2>
          <Ranking data={ranking} t={t} />
          <p>
            <a href={`/assessment?${new URLSearchParams({ ...range(), lang: params.get('lang') ?? '' })}`}>{t('assessmentLink')}</a>
          </p>
        </section>
      )}
    </main>
  );
}

const cell = { border: '1px solid #ccc', padding: '4px 8px', textAlign: 'right' as const };
