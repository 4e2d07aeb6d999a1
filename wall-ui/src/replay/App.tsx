// The incident replay page: the incident's heading and timeline, its recorded video (one
// recording at a time, hls.js) and its units' GPS tracks; the map follows the video's time.
import { useEffect, useMemo, useState } from 'react';
import type { Incident, Replay } from '@hub/config';
import { fetchIncident, fetchReplay } from './api';
import { Player } from './Player';
import { TrackMap, type UnitTrack } from './TrackMap';
import { en, translator, type Lang, type MessageKey } from './messages';

export function App({ token, incidentId, lang }: { token: string | null; incidentId: string | null; lang: Lang }) {
  const t = useMemo(() => translator(lang), [lang]);
  const [incident, setIncident] = useState<Incident | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playlist, setPlaylist] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  const [fromProgramDate, setFromProgramDate] = useState(false);

  useEffect(() => {
    if (!token || !incidentId) return;
    Promise.all([fetchIncident(token, incidentId), fetchReplay(token, incidentId)])
      .then(([i, r]) => {
        setIncident(i);
        setReplay(r);
      })
      .catch((err: Error) => setError(`${t('error')}: ${err.message}`));
  }, [token, incidentId, t]);

  const tracks: UnitTrack[] = useMemo(
    () => (replay?.tracks ?? []).map((tr) => ({ unitId: tr.unitId, points: tr.points.map((p) => ({ t: Date.parse(p.ts), lat: p.lat, lon: p.lon })).sort((a, b) => a.t - b.t) })),
    [replay],
  );

  // an incident state in the page's language; a state this page does not know stays as the hub wrote it
  const stateText = (s: string) => (`state.${s}` in en ? t(`state.${s}` as MessageKey) : s);
  const fmtTime = (ms: number) => new Date(ms).toLocaleString(lang, { hour12: false });
  const style = { fontFamily: 'system-ui, sans-serif', padding: 16, color: '#111' };
  if (!token)
    return (
      <main style={style}>
        <p role="alert">{t('noToken')}</p>
      </main>
    );
  if (!incidentId)
    return (
      <main style={style}>
        <p role="alert">{t('noIncident')}</p>
      </main>
    );
  if (error)
    return (
      <main style={style}>
        <p role="alert">{error}</p>
      </main>
    );
  if (!incident || !replay)
    return (
      <main style={style}>
        <p>{t('loading')}</p>
      </main>
    );

  const current = replay.playlists[playlist];
  const first = current && replay.segments.find((s) => s.recordingId === current.recordingId);
  return (
    <main style={style}>
      <h1 data-testid="replay-heading">
        {t('incident')} #{incident.id} · {incident.type}
        {incident.unitId ? ` · ${incident.unitId}` : ''}
      </h1>
      <p>
        {t('state')}: {stateText(incident.state)} · {fmtTime(Date.parse(replay.from))} – {fmtTime(Date.parse(replay.to))}
      </p>
      <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap', alignItems: 'flex-start' }}>
        <section>
          <h2>{t('recording')}</h2>
          {replay.playlists.length > 1 && (
            <select data-testid="replay-select" value={playlist} onChange={(e) => setPlaylist(Number(e.target.value))}>
              {replay.playlists.map((p, i) => (
                <option key={String(p.recordingId)} value={i}>
                  {p.unitId} · {String(p.recordingId).slice(0, 8)}
                </option>
              ))}
            </select>
          )}
          {current ? (
            <Player
              key={String(current.recordingId)}
              url={current.url}
              token={token}
              fallbackStart={first ? Date.parse(first.start) : Date.parse(replay.from)}
              onTime={(ms, pdt) => {
                setCursor(ms);
                setFromProgramDate(pdt);
              }}
              errorLabel={t('videoError')}
              noMseLabel={t('noMse')}
            />
          ) : (
            <p>{t('noRecording')}</p>
          )}
          <p>
            {t('videoTime')}:{' '}
            <output data-testid="replay-clock" data-ts={cursor ?? ''} data-source={fromProgramDate ? 'program-date-time' : 'estimate'} style={{ fontVariantNumeric: 'tabular-nums', fontWeight: 600 }}>
              {cursor === null ? '—' : fmtTime(cursor)}
            </output>
          </p>
        </section>
        <section>
          <h2>{t('map')}</h2>
          {tracks.length ? <TrackMap tracks={tracks} cursor={cursor} incident={incident} label={t('map')} /> : <p>{t('noTrack')}</p>}
        </section>
      </div>
      <h2>{t('timeline')}</h2>
      <ol data-testid="replay-timeline">
        {replay.timeline.map((e) => (
          <li key={e.id} data-kind={e.kind} style={{ fontWeight: cursor !== null && Math.abs(Date.parse(e.ts) - cursor) < 2_000 ? 700 : 400 }}>
            <time dateTime={e.ts}>{fmtTime(Date.parse(e.ts))}</time> · {e.kind}
            {e.toState ? ` → ${stateText(e.toState)}` : ''} · {e.actor}
          </li>
        ))}
      </ol>
    </main>
  );
}
