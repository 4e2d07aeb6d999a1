// HTML overlays where MapLibre would need glyph files for text: unit counts on clusters, and
// the name of the district or road under the pointer. Both are redrawn only when the map rests
// (the cluster labels also after each update of the units layer, about once a second).
import { useEffect, useRef, useState } from 'react';
import { unitsLayerOf } from './units-gl';
import { NAMED_BASEMAP_LAYERS } from './basemap-style';
import { useMapContext } from './map-context';
import { useLocale, type Locale } from '../i18n';

/** A feature's name in the wall's language: OpenStreetMap's `name:zh` (or the sample's) when the wall is in Chinese, else `name`. */
export function featureName(props: Record<string, unknown>, locale: Locale): string | null {
  const localised = locale === 'zh-CN' ? (props['name:zh'] ?? props['name_zh'] ?? props['name:zh-Hans']) : (props['name:en'] ?? props['name_en']);
  const name = localised ?? props['name'];
  return typeof name === 'string' && name ? name : null;
}

const MAX_LABELS = 400;

/** 1234 → 1.2k, as MapLibre's point_count_abbreviated. */
function abbreviate(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(Math.round(n / 100) / 10).toString()}k` : String(n);
}

interface Label {
  key: string;
  x: number;
  y: number;
  text: string;
}

/**
 * Labels computed by `compute` from the units layer while the map rests: none while it moves
 * (HTML would lag the canvas), recomputed when it stops and after each units-layer update.
 */
type UnitsLayer = NonNullable<ReturnType<typeof unitsLayerOf>>;
type ViewSize = { width: number; height: number };

function useRestingLabels(compute: (layer: UnitsLayer, size: ViewSize) => Label[]): Label[] {
  const { map } = useMapContext();
  const [labels, setLabels] = useState<Label[]>([]);
  const computeRef = useRef(compute);
  computeRef.current = compute;
  useEffect(() => {
    const layer = unitsLayerOf(map);
    if (!layer) return;
    let moving = false;
    const refresh = () => {
      if (!moving) setLabels(computeRef.current(layer, map.getCanvas().getBoundingClientRect()));
    };
    const onStart = () => {
      moving = true;
      setLabels([]);
    };
    const onEnd = () => {
      moving = false;
      refresh();
    };
    map.on('movestart', onStart);
    map.on('moveend', onEnd);
    const off = layer.onChange(refresh);
    refresh();
    return () => {
      map.off('movestart', onStart);
      map.off('moveend', onEnd);
      off();
    };
  }, [map]);
  return labels;
}

export function ClusterLabels() {
  const { map } = useMapContext();
  const labels = useRestingLabels((layer, { width, height }) => {
    const out: Label[] = [];
    for (const c of layer.clusters()) {
      const p = map.project([c.lon, c.lat]);
      if (p.x < -30 || p.y < -30 || p.x > width + 30 || p.y > height + 30) continue;
      out.push({ key: c.key, x: p.x, y: p.y, text: abbreviate(c.count) });
      if (out.length >= MAX_LABELS) break;
    }
    return out;
  });
  return (
    <div style={{ position: 'absolute', inset: 0, pointerEvents: 'none', overflow: 'hidden' }}>
      {labels.map((l) => (
        <div
          key={l.key}
          className="hub-cluster-label"
          style={{ position: 'absolute', left: l.x, top: l.y, transform: 'translate(-50%, -50%)', color: '#fff', font: '600 11px system-ui, sans-serif', textShadow: '0 0 2px #000' }}
        >
          {l.text}
        </div>
      ))}
    </div>
  );
}

/** Labels are drawn when no more than this many single units are in view (more would be a wall of text). */
const MAX_UNIT_LABELS = 80;
/** A label is the unit's id and the start of its name, so two units called "Patrol car" stay apart. */
const NAME_CHARS = 22;

export function unitLabel(id: string, name: string | undefined): string {
  if (!name || name === id) return id;
  const short = name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1).trimEnd()}…` : name;
  return `${id} · ${short}`;
}

/** Each single (unclustered) unit's id and name beside its icon, when few enough are in view. */
export function UnitLabels({ nameOf, dimmed }: { nameOf(id: string): string | undefined; dimmed?: boolean }) {
  const { map } = useMapContext();
  const labels = useRestingLabels((layer, { width, height }) => {
    const out: Label[] = [];
    for (const u of layer.drawn()) {
      const p = map.project([u.lon, u.lat]);
      if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) continue;
      out.push({ key: u.id, x: p.x, y: p.y, text: unitLabel(u.id, nameOf(u.id)) });
    }
    return out.length <= MAX_UNIT_LABELS ? out : [];
  });
  return (
    <div style={{ position: 'absolute', inset: 0, pointerEvents: 'none', overflow: 'hidden', opacity: dimmed ? 0.35 : 1 }}>
      {labels.map((l) => (
        <div key={l.key} className="hub-unit-label" data-unit-id={l.key} style={{ left: l.x + 12, top: l.y }}>
          {l.text}
        </div>
      ))}
    </div>
  );
}

export function BasemapHoverLabel() {
  const { map } = useMapContext();
  const locale = useLocale();
  const [name, setName] = useState<string | null>(null);
  const last = useRef(0);
  useEffect(() => {
    const layers = NAMED_BASEMAP_LAYERS.filter((id) => map.getLayer(id));
    if (layers.length === 0) return;
    const onMove = (e: { point: { x: number; y: number } }) => {
      const now = performance.now();
      if (now - last.current < 100) return;
      last.current = now;
      const hit = map.queryRenderedFeatures([e.point.x, e.point.y], { layers })[0];
      setName(hit ? featureName(hit.properties, locale) : null);
    };
    map.on('mousemove', onMove);
    return () => {
      map.off('mousemove', onMove);
    };
  }, [map, locale]);
  if (!name) return null;
  return (
    <div
      className="hub-basemap-name"
      style={{
        position: 'absolute',
        left: 8,
        bottom: 8,
        padding: '2px 6px',
        background: 'rgba(11,15,20,0.75)',
        color: '#d6e4f5',
        font: '12px system-ui, sans-serif',
        borderRadius: 3,
        pointerEvents: 'none',
      }}
    >
      {name}
    </div>
  );
}
