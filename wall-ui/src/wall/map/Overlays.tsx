// HTML overlays where MapLibre would need glyph files for text: unit counts on clusters, and
// the name of the district or road under the pointer. Both are redrawn only when the map rests.
import { useEffect, useRef, useState } from 'react';
import { UNIT_CLUSTER_LAYER, UNITS_SOURCE } from './UnitsLayer';
import { NAMED_BASEMAP_LAYERS } from './basemap-style';
import { useMapContext } from './map-context';

const MAX_LABELS = 150;

export function ClusterLabels() {
  const { map } = useMapContext();
  const [labels, setLabels] = useState<{ key: string; x: number; y: number; text: string }[]>([]);
  useEffect(() => {
    let moving = false;
    const refresh = () => {
      if (moving) return;
      const out: { key: string; x: number; y: number; text: string }[] = [];
      for (const f of map.queryRenderedFeatures({ layers: [UNIT_CLUSTER_LAYER] })) {
        if (f.geometry.type !== 'Point' || out.length >= MAX_LABELS) continue;
        const p = map.project(f.geometry.coordinates as [number, number]);
        out.push({ key: String(f.properties.cluster_id), x: p.x, y: p.y, text: String(f.properties.point_count_abbreviated ?? f.properties.point_count) });
      }
      setLabels(out);
    };
    const onStart = () => {
      moving = true;
      setLabels([]);
    };
    const onEnd = () => {
      moving = false;
      refresh();
    };
    // one wait for idle at a time: under a steady stream of updates the map is seldom idle
    let waiting = false;
    const onData = (e: { sourceId?: string; isSourceLoaded?: boolean }) => {
      if (e.sourceId !== UNITS_SOURCE || !e.isSourceLoaded || waiting) return;
      waiting = true;
      map.once('idle', () => {
        waiting = false;
        refresh();
      });
    };
    map.on('movestart', onStart);
    map.on('moveend', onEnd);
    map.on('sourcedata', onData);
    return () => {
      map.off('movestart', onStart);
      map.off('moveend', onEnd);
      map.off('sourcedata', onData);
    };
  }, [map]);
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

export function BasemapHoverLabel() {
  const { map } = useMapContext();
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
      setName(hit ? String(hit.properties.name ?? '') || null : null);
    };
    map.on('mousemove', onMove);
    return () => {
      map.off('mousemove', onMove);
    };
  }, [map]);
  if (!name) return null;
  return (
    <div className="hub-basemap-name" style={{ position: 'absolute', left: 8, bottom: 8, padding: '2px 6px', background: 'rgba(11,15,20,0.75)', color: '#d6e4f5', font: '12px system-ui, sans-serif', borderRadius: 3, pointerEvents: 'none' }}>
      {name}
    </div>
  );
}
