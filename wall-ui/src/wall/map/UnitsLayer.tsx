// Units in WebGL: one clustered GeoJSON source, a symbol layer (icon by type and status,
// turned to heading), cluster circles, a highlight and a selection ring. The store changes
// every frame under load; the source is rebuilt at most every `updateMs`, with one setData in
// flight at a time, so 20,000 units at 1 Hz cost a few source updates a second, not 20,000.
// When zoomed in, only units in and around the view are sent.
import { useEffect, useRef } from 'react';
import type { GeoJSONSource, MapMouseEvent } from 'maplibre-gl';
import type { Alarm } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { unitStatusKind } from '../live/types';
import { STATUS_COLOURS, unitIconName } from './icons';
import { addSourceWithLayers, useMapContext } from './map-context';
import { MAX_DELAY_SAMPLES, type MapStats } from './stats';
import type { Feature, Point } from 'geojson';

export const UNITS_SOURCE = 'units';
export const UNIT_SYMBOL_LAYER = 'unit-symbols';
export const UNIT_CLUSTER_LAYER = 'unit-clusters';

export interface UnitsLayerProps {
  store: UnitStore;
  selectedUnitId?: string;
  highlightUnitIds?: string[];
  /** when given, a unit alarms while it has an unacknowledged alarm here (else: the store's view) */
  alarms?: Alarm[];
  /** most source updates a second = 1000 / updateMs; default by fleet size: 250 ms up to 5,000 units, 1 s from 20,000 */
  updateMs?: number;
  /** clusters up to this zoom; default 13 */
  clusterMaxZoom?: number;
  stats: MapStats;
  onUnitClick(unitId: string): void;
  onEmptyClick(lon: number, lat: number): void;
}

/** Zoomed in past this, only units near the view are sent to the source. */
const VIEW_FILTER_ZOOM = 12;

export function UnitsLayer(props: UnitsLayerProps) {
  const { map, projector } = useMapContext();
  const latest = useRef(props);
  latest.current = props;
  const dirty = useRef(true);

  const alarmKey = props.alarms ? props.alarms.map((a) => `${a.id}:${a.acknowledgedAt ? 1 : 0}`).join(',') : '';
  useEffect(() => {
    dirty.current = true;
  }, [alarmKey]);

  useEffect(() => {
    const clusterMaxZoom = props.clusterMaxZoom ?? 13;
    const remove = addSourceWithLayers(
      map,
      UNITS_SOURCE,
      {
        type: 'geojson',
        data: { type: 'FeatureCollection', features: [] },
        cluster: true,
        clusterMaxZoom,
        clusterRadius: 48,
        clusterProperties: { alarming: ['+', ['case', ['==', ['get', 's'], 'alarming'], 1, 0]] },
      },
      [
        {
          id: UNIT_CLUSTER_LAYER,
          type: 'circle',
          source: UNITS_SOURCE,
          filter: ['has', 'point_count'],
          paint: {
            'circle-color': ['case', ['>', ['get', 'alarming'], 0], STATUS_COLOURS.alarming, '#2f6fb0'],
            'circle-opacity': 0.85,
            'circle-radius': ['step', ['get', 'point_count'], 12, 10, 16, 100, 21, 1000, 27],
            'circle-stroke-color': '#d6e4f5',
            'circle-stroke-width': 1.5,
          },
        },
        {
          id: 'unit-highlight',
          type: 'circle',
          source: UNITS_SOURCE,
          filter: ['in', ['get', 'id'], ['literal', []]],
          paint: { 'circle-radius': 20, 'circle-color': '#ffd60a', 'circle-opacity': 0.35, 'circle-stroke-color': '#ffd60a', 'circle-stroke-width': 2 },
        },
        {
          id: 'unit-selected',
          type: 'circle',
          source: UNITS_SOURCE,
          filter: ['==', ['get', 'id'], ''],
          paint: { 'circle-radius': 18, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 },
        },
        {
          id: UNIT_SYMBOL_LAYER,
          type: 'symbol',
          source: UNITS_SOURCE,
          filter: ['!', ['has', 'point_count']],
          layout: {
            'icon-image': ['get', 'icon'],
            'icon-rotate': ['get', 'heading'],
            'icon-rotation-alignment': 'map',
            'icon-allow-overlap': true,
            'icon-ignore-placement': true,
            'icon-size': ['interpolate', ['linear'], ['zoom'], 10, 0.7, 16, 1.1],
          },
        },
      ],
    );

    const source = map.getSource(UNITS_SOURCE) as GeoJSONSource;
    let inFlight = false;
    let closed = false;
    const sentTs = new Map<string, string>();
    let drawnHash = 0;
    let drawnCount = -1;

    const update = async () => {
      if (inFlight || !dirty.current || closed) return;
      dirty.current = false;
      inFlight = true;
      const { store, alarms, stats } = latest.current;
      const t0 = performance.now();
      const alarmingIds = alarms ? new Set(alarms.filter((a) => !a.acknowledgedAt).map((a) => a.unitId)) : null;
      let west = -Infinity;
      let south = -Infinity;
      let east = Infinity;
      let north = Infinity;
      if (map.getZoom() >= VIEW_FILTER_ZOOM) {
        const b = map.getBounds();
        const padLon = (b.getEast() - b.getWest()) * 0.25;
        const padLat = (b.getNorth() - b.getSouth()) * 0.25;
        west = b.getWest() - padLon;
        east = b.getEast() + padLon;
        south = b.getSouth() - padLat;
        north = b.getNorth() + padLat;
      }
      const features: Feature<Point>[] = [];
      const moved: string[] = [];
      // a hash of what is drawn: an update that changes nothing drawn costs no repaint
      let hash = 0;
      for (const u of store.units.values()) {
        if (u.lat === null || u.lon === null) continue;
        const [x, y] = projector.toMap(u.lat, u.lon);
        if (x < west || x > east || y < south || y > north) continue;
        const status = unitStatusKind(alarmingIds ? { ...u, alarming: alarmingIds.has(u.id) } : u);
        hash = (Math.imul(hash, 31) + ((x * 1e6) | 0) + Math.imul((y * 1e6) | 0, 7) + status.charCodeAt(1) * 13 + (u.heading ?? 0) + u.id.length) | 0;
        features.push({
          type: 'Feature',
          properties: { id: u.id, icon: unitIconName(u.type, status), heading: u.heading ?? 0, s: status },
          geometry: { type: 'Point', coordinates: [x, y] },
        });
        if (u.ts && sentTs.get(u.id) !== u.ts) {
          sentTs.set(u.id, u.ts);
          moved.push(u.ts);
        }
      }
      const t1 = performance.now();
      if (hash === drawnHash && features.length === drawnCount) {
        inFlight = false;
        return;
      }
      drawnHash = hash;
      drawnCount = features.length;
      try {
        await source.setData({ type: 'FeatureCollection', features }, true);
      } catch {
        // the map is being removed
        return;
      } finally {
        inFlight = false;
      }
      const t2 = performance.now();
      stats.sourceUpdates++;
      stats.features = features.length;
      stats.buildMs = t1 - t0;
      stats.setDataMs = t2 - t1;
      // the marker moved on the first frame drawn after the worker has the data
      requestAnimationFrame(() => {
        const drawn = Date.now();
        const step = Math.max(1, Math.floor(moved.length / 500));
        for (let i = 0; i < moved.length; i += step) {
          if (stats.markerDelaysMs.length >= MAX_DELAY_SAMPLES) stats.markerDelaysMs.splice(0, 1000);
          stats.markerDelaysMs.push(drawn - Date.parse(moved[i]!));
        }
      });
    };

    const off = props.store.subscribe(() => {
      dirty.current = true;
    });
    // Each source update is a repaint, and a repaint is what costs frames (on a software
    // renderer most of all): big fleets get fewer, since each unit reports once a second anyway.
    let nextAt = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      if (now < nextAt) return;
      const every = latest.current.updateMs ?? Math.min(1000, Math.max(250, latest.current.store.units.size / 20));
      if (!dirty.current || inFlight) return;
      nextAt = now + every;
      void update();
    }, 50);
    const onMoveEnd = () => {
      dirty.current = true;
      void update();
    };
    map.on('moveend', onMoveEnd);
    void update();

    const onClick = (e: MapMouseEvent) => {
      const pad = 6;
      const hits = map.queryRenderedFeatures(
        [
          [e.point.x - pad, e.point.y - pad],
          [e.point.x + pad, e.point.y + pad],
        ],
        { layers: [UNIT_SYMBOL_LAYER, UNIT_CLUSTER_LAYER] },
      );
      const unit = hits.find((f) => f.layer.id === UNIT_SYMBOL_LAYER);
      if (unit) {
        latest.current.onUnitClick(String(unit.properties.id));
        return;
      }
      const cluster = hits.find((f) => f.layer.id === UNIT_CLUSTER_LAYER);
      if (cluster && cluster.geometry.type === 'Point') {
        const center = cluster.geometry.coordinates as [number, number];
        source.getClusterExpansionZoom(cluster.properties.cluster_id as number).then(
          (zoom) => map.easeTo({ center, zoom: Math.min(zoom, 18) }),
          () => map.easeTo({ center, zoom: map.getZoom() + 2 }),
        );
        return;
      }
      latest.current.onEmptyClick(e.lngLat.lng, e.lngLat.lat);
    };
    map.on('click', onClick);
    const pointer = () => (map.getCanvas().style.cursor = 'pointer');
    const plain = () => (map.getCanvas().style.cursor = '');
    map.on('mouseenter', UNIT_SYMBOL_LAYER, pointer);
    map.on('mouseleave', UNIT_SYMBOL_LAYER, plain);
    map.on('mouseenter', UNIT_CLUSTER_LAYER, pointer);
    map.on('mouseleave', UNIT_CLUSTER_LAYER, plain);

    return () => {
      closed = true;
      off();
      clearInterval(timer);
      map.off('moveend', onMoveEnd);
      map.off('click', onClick);
      map.off('mouseenter', UNIT_SYMBOL_LAYER, pointer);
      map.off('mouseleave', UNIT_SYMBOL_LAYER, plain);
      map.off('mouseenter', UNIT_CLUSTER_LAYER, pointer);
      map.off('mouseleave', UNIT_CLUSTER_LAYER, plain);
      remove();
    };
    // the layer is set up once per map; the props it reads live in `latest`
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, projector]);

  const highlightKey = (props.highlightUnitIds ?? []).join(',');
  useEffect(() => {
    if (map.getLayer('unit-highlight')) map.setFilter('unit-highlight', ['in', ['get', 'id'], ['literal', props.highlightUnitIds ?? []]]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, highlightKey]);
  useEffect(() => {
    if (map.getLayer('unit-selected')) map.setFilter('unit-selected', ['==', ['get', 'id'], props.selectedUnitId ?? '']);
  }, [map, props.selectedUnitId]);

  return null;
}
