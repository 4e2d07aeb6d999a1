// Units in WebGL: one instanced layer (units-gl.ts) draws every unit as an icon by type and
// status, turned to heading, clustered on a grid when zoomed out, with highlight and selection
// rings. The store changes every frame under load; the layer's instance buffer is refilled at
// most every `updateMs` (1 s from 20,000 units), so the units cost one redraw a second while
// pans and zooms redraw the same buffer at full rate. An update that changes nothing drawn
// costs nothing. By default the units have a canvas of their own over the map's, so that redraw
// is of the units alone, not of the whole map (bench/RESULTS.md, "Wall map").
import { useEffect, useRef } from 'react';
import type { MapMouseEvent } from 'maplibre-gl';
import type { Alarm } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { unitStatusKind } from '../live/types';
import { useMapContext } from './map-context';
import { MAX_DELAY_SAMPLES, type MapStats } from './stats';
import { UnitsGlLayer, type UnitPoint } from './units-gl';

/** The units' custom layer; other layers are added below it. */
export const UNITS_LAYER = 'unit-gl';

export interface UnitsLayerProps {
  store: UnitStore;
  selectedUnitId?: string;
  highlightUnitIds?: string[];
  /** when given, a unit alarms while it has an unacknowledged alarm here (else: the store's view) */
  alarms?: Alarm[];
  /** most layer updates a second = 1000 / updateMs; default by fleet size: 250 ms up to 5,000 units, 1 s from 20,000 */
  updateMs?: number;
  /** clusters up to this zoom; default 13 */
  clusterMaxZoom?: number;
  /**
   * overlay (default): the units on a canvas of their own over the map, so a unit update redraws
   * only the units; layer: inside MapLibre's frame as a custom layer (below alarm markers), where
   * every update repaints the whole map (cheap on a GPU, about a second on a software renderer)
   */
  renderer?: 'overlay' | 'layer';
  stats: MapStats;
  onUnitClick(unitId: string): void;
  onEmptyClick(lon: number, lat: number): void;
}

export function UnitsLayer(props: UnitsLayerProps) {
  const { map, projector } = useMapContext();
  const latest = useRef(props);
  latest.current = props;
  const dirty = useRef(true);
  const layerRef = useRef<UnitsGlLayer | null>(null);

  const alarmKey = props.alarms ? props.alarms.map((a) => `${a.id}:${a.acknowledgedAt ? 1 : 0}`).join(',') : '';
  useEffect(() => {
    dirty.current = true;
  }, [alarmKey]);

  useEffect(() => {
    const layer = new UnitsGlLayer(UNITS_LAYER, { clusterMaxZoom: props.clusterMaxZoom ?? 13, clusterRadius: 48 });
    const renderer = props.renderer ?? 'overlay';
    if (renderer === 'layer') map.addLayer(layer);
    else layer.attachOverlay(map);
    layerRef.current = layer;
    layer.setSelection(latest.current.selectedUnitId, latest.current.highlightUnitIds ?? []);
    let closed = false;
    const sentTs = new Map<string, string>();
    let drawnHash = 0;
    let drawnCount = -1;
    let moved: string[] = [];

    // the units moved on the first frame drawn with the new buffer
    layer.onDrawn = () => {
      const { stats } = latest.current;
      const drawn = Date.now();
      const step = Math.max(1, Math.floor(moved.length / 500));
      for (let i = 0; i < moved.length; i += step) {
        if (stats.markerDelaysMs.length >= MAX_DELAY_SAMPLES) stats.markerDelaysMs.splice(0, 1000);
        stats.markerDelaysMs.push(drawn - Date.parse(moved[i]!));
      }
      moved = [];
    };

    const update = () => {
      if (!dirty.current || closed) return;
      dirty.current = false;
      const { store, alarms, stats } = latest.current;
      const t0 = performance.now();
      const alarmingIds = alarms ? new Set(alarms.filter((a) => !a.acknowledgedAt).map((a) => a.unitId)) : null;
      const points: UnitPoint[] = [];
      const changed: string[] = [];
      // a hash of what is drawn: an update that changes nothing drawn costs no repaint
      let hash = 0;
      for (const u of store.units.values()) {
        if (u.lat === null || u.lon === null) continue;
        const [lon, lat] = projector.toMap(u.lat, u.lon);
        const status = unitStatusKind(alarmingIds ? { ...u, alarming: alarmingIds.has(u.id) } : u);
        const heading = u.heading ?? 0;
        hash = (Math.imul(hash, 31) + ((lon * 1e6) | 0) + Math.imul((lat * 1e6) | 0, 7) + status.charCodeAt(1) * 13 + heading + u.id.length) | 0;
        points.push({ id: u.id, type: u.type, status, heading, lon, lat });
        if (u.ts && sentTs.get(u.id) !== u.ts) {
          sentTs.set(u.id, u.ts);
          changed.push(u.ts);
        }
      }
      if (hash === drawnHash && points.length === drawnCount) return;
      drawnHash = hash;
      drawnCount = points.length;
      const t1 = performance.now();
      layer.setUnits(points);
      moved = moved.length ? moved.concat(changed) : changed;
      stats.sourceUpdates++;
      stats.features = points.length;
      stats.buildMs = t1 - t0;
      stats.setDataMs = performance.now() - t1;
    };

    const off = props.store.subscribe(() => {
      dirty.current = true;
    });
    // Each update is a repaint, and a repaint is what costs frames (on a software renderer
    // most of all): big fleets get fewer, since each unit reports once a second anyway.
    let nextAt = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      if (now < nextAt || !dirty.current) return;
      nextAt = now + (latest.current.updateMs ?? Math.min(1000, Math.max(250, latest.current.store.units.size / 20)));
      update();
    }, 50);
    update();

    const onClick = (e: MapMouseEvent) => {
      const hit = layer.hitTest(e.point.x, e.point.y);
      if (hit?.kind === 'unit') {
        latest.current.onUnitClick(hit.unitId);
        return;
      }
      if (hit?.kind === 'cluster') {
        map.easeTo({ center: [hit.cluster.lon, hit.cluster.lat], zoom: Math.min(hit.expandToZoom, 18) });
        return;
      }
      latest.current.onEmptyClick(e.lngLat.lng, e.lngLat.lat);
    };
    map.on('click', onClick);
    let lastHover = 0;
    const onMove = (e: MapMouseEvent) => {
      const now = performance.now();
      if (now - lastHover < 50) return;
      lastHover = now;
      map.getCanvas().style.cursor = layer.hitTest(e.point.x, e.point.y) ? 'pointer' : '';
    };
    map.on('mousemove', onMove);

    return () => {
      closed = true;
      off();
      clearInterval(timer);
      map.off('click', onClick);
      map.off('mousemove', onMove);
      layerRef.current = null;
      // the map may be gone already (LiveMap unmounting removes it first)
      if (renderer === 'overlay') layer.detachOverlay();
      else if (map.style && map.getLayer(UNITS_LAYER)) map.removeLayer(UNITS_LAYER);
    };
    // the layer is set up once per map; the props it reads live in `latest`
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, projector]);

  const highlightKey = (props.highlightUnitIds ?? []).join(',');
  useEffect(() => {
    layerRef.current?.setSelection(props.selectedUnitId, props.highlightUnitIds ?? []);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, highlightKey, props.selectedUnitId]);

  return null;
}
