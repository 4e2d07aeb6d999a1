// The wall's live map: one MapLibre GL instance; each layer is a component that renders
// nothing and adds its source in an effect (traccar-web's pattern). Units come from the
// UnitStore; the basemap from GET /api/basemap (the city's tiles, or the offline GeoJSON).
import { useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import maplibregl, { type Map as MapLibreMap } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './map.css';
import type { Alarm, BasemapOut, HotlinePlace, LocateResponse, MapView, PositionOut } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { useConnectionState } from '../live/hooks';
import { basemapStyle, DEFAULT_BASEMAP } from './basemap-style';
import { addIcons } from './icons';
import { MapContext, type MapContextValue } from './map-context';
import { makeProjector } from './projection';
import { newMapStats, type MapStats } from './stats';
import { GeofencesLayer } from './GeofencesLayer';
import { MarkersLayer, type IncidentMarker } from './MarkersLayer';
import { HotlineMarkers } from './HotlineMarkers';
import { ReplayLayer } from './ReplayLayer';
import { TrailsLayer } from './TrailsLayer';
import { UnitPopup } from './UnitPopup';
import { UnitsLayer } from './UnitsLayer';
import { unitsLayerOf, type DrawnCluster, type DrawnUnit, type UnitHit } from './units-gl';
import { BasemapHoverLabel, ClusterLabels, UnitLabels } from './Overlays';
import { MapUiLanguage } from './MapUiLanguage';
import { useT } from '../i18n';

export interface LiveMapProps {
  store: UnitStore;
  selectedUnitId?: string;
  onSelectUnit?(unitId: string): void;
  /** `channel`: a JT/T 808 terminal's camera (1 for a unit with one) */
  onOpenCamera?(unitId: string, channel: number): void;
  /** "Locate now" in a JT/T 808 terminal's popup (the wall: POST /api/units/{id}/locate) */
  onLocate?(unitId: string): Promise<LocateResponse>;
  /** a click on the map away from units, in WGS-84 */
  onMapClick?(lat: number, lon: number): void;
  /** fly there whenever `key` changes; `instant` jumps without the flight (a preset's saved view) */
  flyTo?: { lat: number; lon: number; zoom?: number; bearing?: number; instant?: boolean; key: number };
  /** the map's view (WGS-84 centre) whenever it comes to rest */
  onViewChange?(view: MapView): void;
  alarms?: Alarm[];
  incidents?: IncidentMarker[];
  /** open 12319 hotline cases where their callers said */
  hotlinePlaces?: readonly HotlinePlace[];
  /** a click on a case's marker (a hotline place) */
  onSelectIncident?(incidentId: number): void;
  highlightUnitIds?: string[];
  replay?: { points: PositionOut[]; cursorTs?: string };
  /** the map canvas's pixels per CSS pixel; default the screen's (a lower one trades sharpness for repaint time on a software renderer) */
  pixelRatio?: number;
  /** how the units are drawn (UnitsLayer's renderer); default overlay */
  unitsRenderer?: 'overlay' | 'layer';
  /** most unit-source updates a second = 1000 / updateMs; default by fleet size (250 ms up to 5,000 units, 1 s from 20,000) */
  updateMs?: number;
  style?: CSSProperties;
  className?: string;
}

/** What tests and the benchmark read from the page (only with ?testHooks in the URL). */
export interface LiveMapTestHooks {
  map: MapLibreMap;
  store: UnitStore;
  stats: MapStats;
  basemap: BasemapOut;
  /** a WGS-84 position as the map draws it ([lon, lat]) */
  toMap(lat: number, lon: number): [number, number];
  /** the units the units layer draws on their own (not clustered), with their drawn [lon, lat] */
  drawnUnits(): DrawnUnit[];
  /** the clusters it draws */
  drawnClusters(): DrawnCluster[];
  /** what a click at this canvas point would hit */
  unitAt(x: number, y: number): UnitHit | null;
}

declare global {
  interface Window {
    __hubWall?: LiveMapTestHooks;
  }
}

async function loadBasemap(store: UnitStore, signal: { stopped: boolean }): Promise<BasemapOut> {
  // the store gets its token from connect(), which the wall may call after this mounts
  while (store.connectionState === 'closed' && !signal.stopped) await new Promise((r) => setTimeout(r, 100));
  for (let attempt = 0; !signal.stopped; attempt++) {
    try {
      return await store.api.basemap();
    } catch (err) {
      if (attempt >= 2) {
        console.warn('wall: the basemap settings could not be loaded; drawing the plain offline basemap', err);
        return DEFAULT_BASEMAP;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return DEFAULT_BASEMAP;
}

const badgeColours: Record<string, string> = { live: '#2ecc71', connecting: '#ffb020', reconnecting: '#ffb020', unauthorized: '#ff3b30', closed: '#8a949e' };

export function LiveMap(props: LiveMapProps) {
  const { store } = props;
  const container = useRef<HTMLDivElement>(null);
  const [basemap, setBasemap] = useState<BasemapOut | null>(null);
  const [ctx, setCtx] = useState<MapContextValue | null>(null);
  const [popupUnitId, setPopupUnitId] = useState<string | undefined>(props.selectedUnitId);
  const stats = useMemo(newMapStats, []);
  const connection = useConnectionState(store);
  const t = useT();
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const signal = { stopped: false };
    void loadBasemap(store, signal).then((b) => !signal.stopped && setBasemap(b));
    return () => {
      signal.stopped = true;
    };
  }, [store]);

  useEffect(() => {
    if (!basemap || !container.current) return;
    const projector = makeProjector(basemap.coordinateSystem);
    const map = new maplibregl.Map({
      container: container.current,
      style: basemapStyle(basemap, projector),
      center: projector.toMap(basemap.center.lat, basemap.center.lon),
      zoom: basemap.zoom,
      maxPitch: 0,
      dragRotate: false,
      fadeDuration: 0,
      pixelRatio: latest.current.pixelRatio,
      attributionControl: basemap.attribution ? { compact: true, customAttribution: basemap.attribution } : false,
      transformRequest: (url) => store.api.tileRequest(url),
    });
    map.touchZoomRotate.disableRotation();
    let stopped = false;
    map.on('load', () => {
      if (stopped) return;
      addIcons(map);
      setCtx({ map, projector });
      if (new URLSearchParams(location.search).has('testHooks')) {
        window.__hubWall = {
          map,
          store,
          stats,
          basemap,
          toMap: (lat, lon) => projector.toMap(lat, lon),
          drawnUnits: () => unitsLayerOf(map)?.drawn() ?? [],
          drawnClusters: () => unitsLayerOf(map)?.clusters() ?? [],
          unitAt: (x, y) => unitsLayerOf(map)?.hitTest(x, y) ?? null,
        };
      }
    });
    map.on('styleimagemissing', () => addIcons(map));
    return () => {
      stopped = true;
      setCtx(null);
      map.remove();
      if (window.__hubWall?.map === map) delete window.__hubWall;
    };
  }, [basemap, store, stats]);

  useEffect(() => setPopupUnitId(props.selectedUnitId), [props.selectedUnitId]);

  const flyKey = props.flyTo?.key;
  useEffect(() => {
    const f = latest.current.flyTo;
    if (!ctx || !f) return;
    // no `bearing` key unless given: MapLibre reads a present-but-undefined one as NaN
    const view = { center: ctx.projector.toMap(f.lat, f.lon), zoom: f.zoom ?? Math.max(ctx.map.getZoom(), 15), ...(f.bearing === undefined ? {} : { bearing: f.bearing }) };
    if (f.instant) ctx.map.jumpTo(view);
    else ctx.map.flyTo({ ...view, essential: true });
  }, [ctx, flyKey]);

  useEffect(() => {
    if (!ctx) return;
    const { map, projector } = ctx;
    const report = () => {
      const c = map.getCenter().wrap();
      const w = projector.fromMap(c.lng, c.lat);
      latest.current.onViewChange?.({ center: { lat: w.lat, lon: w.lon }, zoom: map.getZoom(), bearing: map.getBearing() });
    };
    report();
    map.on('moveend', report);
    return () => {
      map.off('moveend', report);
    };
  }, [ctx]);

  return (
    <div
      className={`${props.className ?? ''}${props.replay ? ' replaying' : ''}`}
      style={{ position: 'relative', width: '100%', height: '100%', minHeight: 200, ...props.style }}
      data-testid="live-map"
      data-replaying={!!props.replay}
    >
      <div ref={container} style={{ position: 'absolute', inset: 0, background: basemap?.background ?? DEFAULT_BASEMAP.background }} />
      {ctx && (
        <MapContext.Provider value={ctx}>
          <GeofencesLayer store={store} />
          <TrailsLayer store={store} selectedUnitId={popupUnitId} highlightUnitIds={props.highlightUnitIds} />
          <UnitsLayer
            store={store}
            selectedUnitId={popupUnitId}
            highlightUnitIds={props.highlightUnitIds}
            alarms={props.alarms}
            updateMs={props.updateMs}
            renderer={props.unitsRenderer}
            stats={stats}
            onUnitClick={(id) => {
              setPopupUnitId(id);
              latest.current.onSelectUnit?.(id);
            }}
            onEmptyClick={(lon, lat) => {
              const w = ctx.projector.fromMap(lon, lat);
              latest.current.onMapClick?.(w.lat, w.lon);
            }}
          />
          <MarkersLayer alarms={props.alarms} incidents={props.incidents} />
          {props.hotlinePlaces && <HotlineMarkers places={props.hotlinePlaces} onSelect={(id) => latest.current.onSelectIncident?.(id)} />}
          {props.replay && <ReplayLayer points={props.replay.points} cursorTs={props.replay.cursorTs} />}
          {popupUnitId && (
            <UnitPopup
              store={store}
              unitId={popupUnitId}
              onOpenCamera={props.onOpenCamera ? (id, channel) => latest.current.onOpenCamera?.(id, channel) : undefined}
              onLocate={props.onLocate ? (id) => latest.current.onLocate!(id) : undefined}
              onClose={() => setPopupUnitId(undefined)}
            />
          )}
          <ClusterLabels />
          <UnitLabels nameOf={(id) => store.units.get(id)?.name} dimmed={!!props.replay} />
          <BasemapHoverLabel />
          <MapUiLanguage />
        </MapContext.Provider>
      )}
      <div
        className="hub-map-connection"
        data-state={connection}
        style={{
          position: 'absolute',
          top: 8,
          left: 8,
          padding: '2px 8px',
          borderRadius: 10,
          background: 'rgba(11,15,20,0.8)',
          color: badgeColours[connection] ?? '#fff',
          font: '12px system-ui, sans-serif',
          pointerEvents: 'none',
        }}
      >
        ● {t(`map.connection.${connection}`)}
        {basemap && !basemap.tiles && <span style={{ color: '#8a949e' }}> · {t('map.basemap.offline')}</span>}
        {basemap?.geojsonError && <span style={{ color: '#ffb020' }}> · {t('map.basemap.geojsonMissing')}</span>}
        {basemap?.fileError && (
          <span style={{ color: '#ffb020' }} title={basemap.fileError} data-testid="basemap-file-error">
            {' '}
            · {t('map.basemap.fileMissing')}
          </span>
        )}
      </div>
    </div>
  );
}
