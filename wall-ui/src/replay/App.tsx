// The incident replay page, dark like the wall: the incident's heading and timeline (in words),
// its recorded video (one recording at a time, hls.js) and its units' GPS tracks over the wall's
// basemap; the map follows the video's time.
import { useEffect, useMemo, useState } from 'react';
import type { BasemapOut, Incident, Replay } from '@hub/config';
import { fetchBasemap, fetchIncident, fetchReplay } from './api';
import { Player, type PlayerProblem } from './Player';
import { TrackMap, type UnitTrack } from './TrackMap';
import { DEFAULT_BASEMAP } from '../wall/map/basemap-style';
import { en, translator, type Lang, type MessageKey } from './messages';

export function App({ token, incidentId, lang }: { token: string | null; incidentId: string | null; lang: Lang }) {
  const t = useMemo(() => translator(lang), [lang]);
  const [incident, setIncident] = useState<Incident | null>(null);
  const [replay, setReplay] = useState<Replay | null>(null);
  const [basemap, setBasemap] = useState<BasemapOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playlist, setPlaylist] = useState(0);
  const [cursor, setCursor] = useState<number | null>(null);
  const [fromProgramDate, setFromProgramDate] = useState(false);

  useEffect(() => {
    if (!token || !incidentId) return;
    // the basemap is a backdrop: without it the tracks are drawn on the offline one
    Promise.all([fetchIncident(token, incidentId), fetchReplay(token, incidentId), fetchBasemap(token).catch(() => DEFAULT_BASEMAP)])
      .then(([i, r, b]) => {
        setIncident(i);
        setReplay(r);
        setBasemap(b);
        // first the camera of the unit the incident is about (an SOS), not a responder's
        setPlaylist(
          Math.max(
            0,
            r.playlists.findIndex((p) => p.unitId === i.unitId),
          ),
        );
      })
      .catch((err: Error) => setError(`${t('error')}: ${err.message}`));
  }, [token, incidentId, t]);

  const tracks: UnitTrack[] = useMemo(
    () => (replay?.tracks ?? []).map((tr) => ({ unitId: tr.unitId, points: tr.points.map((p) => ({ t: Date.parse(p.ts), lat: p.lat, lon: p.lon })).sort((a, b) => a.t - b.t) })),
    [replay],
  );

  // a state or event kind in the page's language; one this page does not know is shown in plain words
  const known = (key: string) => (key in en ? t(key as MessageKey) : undefined);
  const stateText = (s: string) => known(`state.${s}`) ?? s.replaceAll('_', ' ');
  const eventText = (kind: string) => known(`event.${kind}`) ?? kind.replaceAll('_', ' ');
  const say = (problem: PlayerProblem) => t(problem === 'noMse' ? 'noMse' : `video.${problem}`);
  const fmtTime = (ms: number) => new Date(ms).toLocaleString(lang, { hour12: false });
  const notice = (text: string, alert = true) => (
    <main className="replay">
      <p role={alert ? 'alert' : undefined}>{text}</p>
    </main>
  );
  if (!token) return notice(t('noToken'));
  if (!incidentId) return notice(t('noIncident'));
  if (error) return notice(error);
  if (!incident || !replay || !basemap) return notice(t('loading'), false);

  const current = replay.playlists[playlist];
  const segments = current ? replay.segments.filter((s) => s.recordingId === current.recordingId) : [];
  return (
    <main className="replay">
      <header className="replay-header">
        <h1 data-testid="replay-heading">
          {t('incident')} #{incident.id} · {incident.type}
          {incident.unitId ? ` · ${incident.unitId}` : ''}
        </h1>
        <p className="replay-muted">
          {t('state')}: <strong>{stateText(incident.state)}</strong> · {fmtTime(Date.parse(replay.from))} – {fmtTime(Date.parse(replay.to))}
        </p>
      </header>
      <div className="replay-panels">
        <section className="replay-panel">
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
              empty={segments.length === 0}
              fallbackStart={segments[0] ? Date.parse(segments[0].start) : Date.parse(replay.from)}
              onTime={(ms, pdt) => {
                setCursor(ms);
                setFromProgramDate(pdt);
              }}
              say={say}
            />
          ) : (
            <p className="replay-problem">{t('noRecording')}</p>
          )}
          <p hidden={segments.length === 0}>
            {t('videoTime')}:{' '}
            <output data-testid="replay-clock" data-ts={cursor ?? ''} data-source={fromProgramDate ? 'program-date-time' : 'estimate'} className="replay-clock">
              {cursor === null ? '—' : fmtTime(cursor)}
            </output>
          </p>
        </section>
        <section className="replay-panel replay-panel-map">
          <h2>{t('map')}</h2>
          {tracks.length ? <TrackMap tracks={tracks} cursor={cursor} incident={incident} basemap={basemap} label={t('map')} /> : <p className="replay-muted">{t('noTrack')}</p>}
        </section>
      </div>
      <section className="replay-panel">
        <h2>{t('timeline')}</h2>
        <ol data-testid="replay-timeline" className="replay-timeline">
          {replay.timeline.map((e) => (
            <li key={e.id} data-kind={e.kind} className={cursor !== null && Math.abs(Date.parse(e.ts) - cursor) < 2_000 ? 'replay-now' : undefined}>
              <time dateTime={e.ts}>{fmtTime(Date.parse(e.ts))}</time>
              <span className="replay-event">
                {eventText(e.kind)}
                {e.toState ? ` → ${stateText(e.toState)}` : ''}
              </span>
              <span className="replay-muted">
                {t('event.by')} {e.actor}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}
