// The incident's GPS tracks drawn in a plain SVG (lat/lon scaled to the box, north up), with
// each unit's position at the video's wall-clock time as a marker.
import { useMemo } from 'react';
import { positionAt, type TrackPoint } from '../shared/track';

export interface UnitTrack {
  unitId: string;
  points: TrackPoint[];
}

const W = 480;
const H = 360;
const PAD = 24;
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];

export function TrackMap({ tracks, cursor, incident, label }: { tracks: UnitTrack[]; cursor: number | null; incident: { lat: number; lon: number }; label: string }) {
  const project = useMemo(() => {
    const all = [incident, ...tracks.flatMap((t) => t.points)];
    const lats = all.map((p) => p.lat);
    const lons = all.map((p) => p.lon);
    const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
    const kx = Math.cos((midLat * Math.PI) / 180); // metres per degree of longitude shrink with latitude
    const spanX = Math.max((Math.max(...lons) - Math.min(...lons)) * kx, 1e-4);
    const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 1e-4);
    const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
    const cx = (Math.min(...lons) + Math.max(...lons)) / 2;
    return (p: { lat: number; lon: number }) => ({ x: W / 2 + (p.lon - cx) * kx * scale, y: H / 2 - (p.lat - midLat) * scale });
  }, [tracks, incident]);

  const site = project(incident);
  return (
    <svg data-testid="replay-map" viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label} style={{ background: '#f4f1ea', border: '1px solid #ccc' }}>
      <circle cx={site.x} cy={site.y} r={9} fill="none" stroke="#555" strokeDasharray="3 2" />
      {tracks.map((t, i) => {
        const color = COLORS[i % COLORS.length];
        const here = cursor === null ? null : positionAt(t.points, cursor);
        const m = here && project(here);
        return (
          <g key={t.unitId} data-unit={t.unitId}>
            <polyline
              points={t.points
                .map((p) => {
                  const q = project(p);
                  return `${q.x.toFixed(1)},${q.y.toFixed(1)}`;
                })
                .join(' ')}
              fill="none"
              stroke={color}
              strokeWidth={2}
              strokeOpacity={0.6}
            />
            {t.points.map((p) => {
              const q = project(p);
              return <circle key={p.t} cx={q.x} cy={q.y} r={2} fill={color} />;
            })}
            {m && here && (
              <g data-testid="replay-marker" data-unit={t.unitId} data-lat={here.lat} data-lon={here.lon} data-x={m.x} data-y={m.y} transform={`translate(${m.x} ${m.y})`}>
                <circle r={7} fill={color} stroke="#fff" strokeWidth={2} />
                <text x={10} y={4} fontSize={12} fill="#222">
                  {t.unitId}
                </text>
              </g>
            )}
          </g>
        );
      })}
    </svg>
  );
}
