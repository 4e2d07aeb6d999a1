// STAND-IN written by wall-a until wall-b's MapLibre LiveMap lands on main: the contract's
// props (CONTRACTS.md "Wall"), drawn as a plain SVG plot of the units. On merge, wall-b's wins.
import { useEffect, useMemo, useReducer, useRef } from 'react';
import type { Alarm, PositionOut } from '@hub/config/api';
import type { UnitStore } from '../live/unit-store';
import { viewOnline, viewPosition } from '../app/unit-view';

export interface LiveMapProps {
  store: UnitStore;
  selectedUnitId?: string;
  onSelectUnit?(unitId: string): void;
  onOpenCamera?(unitId: string): void;
  onMapClick?(lat: number, lon: number): void;
  flyTo?: { lat: number; lon: number; zoom?: number; key: number };
  alarms?: Alarm[];
  incidents?: { id: string | number; lat: number; lon: number; state: string }[];
  highlightUnitIds?: string[];
  replay?: { points: PositionOut[]; cursorTs?: string };
}

const W = 1000;
const H = 600;

export function LiveMap(props: LiveMapProps) {
  const { store } = props;
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  useEffect(() => store.subscribe(() => redraw()), [store]);
  const svg = useRef<SVGSVGElement>(null);
  const units = [...store.units.values()].flatMap((u) => {
    const p = viewPosition(u);
    return p ? [{ id: u.id, p, online: viewOnline(u) }] : [];
  });
  const centre = props.flyTo ?? units[0]?.p ?? { lat: 22.54, lon: 114.05 };
  const span = 0.08;
  const box = useMemo(() => ({ w: centre.lon - span, n: centre.lat + span * 0.6 }), [centre.lat, centre.lon]);
  const x = (lon: number) => ((lon - box.w) / span / 2) * W;
  const y = (lat: number) => ((box.n - lat) / (span * 1.2)) * H;
  const highlight = new Set(props.highlightUnitIds ?? []);
  const click = (e: React.MouseEvent<SVGSVGElement>) => {
    const r = svg.current!.getBoundingClientRect();
    const lon = box.w + ((e.clientX - r.left) / r.width) * span * 2;
    const lat = box.n - ((e.clientY - r.top) / r.height) * span * 1.2;
    props.onMapClick?.(lat, lon);
  };
  const replay = props.replay?.points ?? [];
  const cursor = props.replay?.cursorTs ? replay.filter((p) => p.ts <= props.replay!.cursorTs!).at(-1) : undefined;
  return (
    <svg ref={svg} className="live-map-stub" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" onClick={click} data-testid="live-map">
      {replay.length > 1 && <polyline points={replay.map((p) => `${x(p.lon)},${y(p.lat)}`).join(' ')} fill="none" stroke="#f0c040" strokeWidth={2} />}
      {cursor && <circle cx={x(cursor.lon)} cy={y(cursor.lat)} r={8} fill="#f0c040" />}
      {(props.alarms ?? []).filter((a) => a.lat !== null && a.lon !== null && !a.acknowledgedAt).map((a) => (
        <circle key={a.id} cx={x(a.lon!)} cy={y(a.lat!)} r={14} fill="none" stroke="#ff4040" strokeWidth={3} />
      ))}
      {units.map((u) => (
        <circle
          key={u.id}
          data-unit-id={u.id}
          cx={x(u.p.lon)}
          cy={y(u.p.lat)}
          r={u.id === props.selectedUnitId || highlight.has(u.id) ? 8 : 5}
          fill={u.online ? '#3fbf6f' : '#888'}
          stroke={highlight.has(u.id) ? '#fff' : 'none'}
          onClick={(e) => {
            e.stopPropagation();
            props.onSelectUnit?.(u.id);
          }}
          onDoubleClick={(e) => {
            e.stopPropagation();
            props.onOpenCamera?.(u.id);
          }}
        />
      ))}
    </svg>
  );
}
