// Track replay: a unit and a time range → GET /api/units/{id}/track → its path on the map,
// with a time slider and 1x / 4x / 16x playback.
import { useEffect, useRef, useState } from 'react';
import type { PositionOut } from '@hub/config';
import { useLocale, useT } from '../i18n';
import { errorText } from '../i18n/errors';
import { api } from '../app/session';
import { UnitPicker } from '../units/UnitPicker';

export const REPLAY_SPEEDS = [1, 4, 16] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
const TICK_MS = 200;
const MAX_POINTS = 20000;

export interface ReplayPanelProps {
  units: { id: string; name: string }[];
  defaultUnitId: string | null;
  onReplay(replay: { points: PositionOut[]; cursorTs?: string } | undefined): void;
}

/** datetime-local value (local time, minutes) for a Date */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function ReplayPanel({ units, defaultUnitId, onReplay }: ReplayPanelProps) {
  const t = useT();
  const locale = useLocale();
  const [unitId, setUnitId] = useState(defaultUnitId ?? '');
  const [from, setFrom] = useState(() => localInput(new Date(Date.now() - 30 * 60_000)));
  const [to, setTo] = useState(() => localInput(new Date(Date.now() + 60_000)));
  const [points, setPoints] = useState<PositionOut[] | null>(null);
  const [cursor, setCursor] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState<ReplaySpeed>(1);
  const [error, setError] = useState<string | null>(null);
  const onReplayRef = useRef(onReplay);
  onReplayRef.current = onReplay;

  useEffect(() => {
    if (!unitId && defaultUnitId) setUnitId(defaultUnitId);
  }, [defaultUnitId, unitId]);

  const start = points?.length ? Date.parse(points[0]!.ts) : 0;
  const end = points?.length ? Date.parse(points.at(-1)!.ts) : 0;

  useEffect(() => {
    if (!playing || !points?.length) return;
    const timer = setInterval(() => {
      setCursor((c) => {
        const next = c + TICK_MS * speed;
        if (start + next >= end) {
          setPlaying(false);
          return end - start;
        }
        return next;
      });
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed, points, start, end]);

  useEffect(() => {
    onReplayRef.current(points ? { points, cursorTs: new Date(start + cursor).toISOString() } : undefined);
  }, [points, cursor, start]);

  const load = async () => {
    setError(null);
    setPlaying(false);
    try {
      const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: String(MAX_POINTS) });
      const track = await api<PositionOut[]>('GET', `/api/units/${encodeURIComponent(unitId)}/track?${q}`);
      setPoints(track);
      setCursor(0);
      if (!track.length) setError(t('replay.empty'));
    } catch (err) {
      setError(errorText(t, err));
    }
  };

  const clear = () => {
    setPlaying(false);
    setPoints(null);
    setCursor(0);
  };

  return (
    <section className="panel replay-panel" data-testid="replay-panel">
      <header className="panel-head">
        <h2>{t('replay.title')}</h2>
      </header>
      <div className="filters">
        <UnitPicker units={units} value={unitId} onChange={setUnitId} testId="replay-unit" />
      </div>
      <div className="filters">
        <label>
          {t('replay.from')}
          <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} data-testid="replay-from" />
        </label>
        <label>
          {t('replay.to')}
          <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} data-testid="replay-to" />
        </label>
      </div>
      <div className="filters">
        <button disabled={!unitId} onClick={() => void load()} data-testid="replay-load">
          {t('replay.load')}
        </button>
        {points && (
          <button className="secondary" onClick={clear}>
            {t('replay.clear')}
          </button>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      {points && points.length > 0 && (
        <div className="replay-controls">
          <button onClick={() => setPlaying((p) => !p)} data-testid="replay-play">
            {playing ? t('replay.pause') : t('replay.play')}
          </button>
          {REPLAY_SPEEDS.map((s) => (
            <button key={s} className={s === speed ? 'active' : 'secondary'} onClick={() => setSpeed(s)} data-testid={`replay-speed-${s}`}>
              {t('replay.speed', { x: s })}
            </button>
          ))}
          <input
            type="range"
            min={0}
            max={Math.max(0, end - start)}
            step={1000}
            value={cursor}
            onChange={(e) => setCursor(Number(e.target.value))}
            aria-label={t('replay.slider')}
            data-testid="replay-slider"
          />
          <span className="muted" data-testid="replay-cursor">
            {new Date(start + cursor).toLocaleTimeString(locale, { hour12: false })} · {t('replay.points', { n: points.length })}
          </span>
        </div>
      )}
    </section>
  );
}
