// The wall: header, map, video grid, unit list, alarms, linkage and replay, for one
// logged-in operator. Owns the live store (one socket) and the layout (saved as presets).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Alarm, PositionOut } from '@hub/config/api';
import type { GridSize, MapView, Preset, WallLayout } from '@hub/config/presets';
import { UnitStore } from '../live/unit-store';
import { LiveMap } from '../map/LiveMap';
import { useT } from '../i18n';
import { AlarmPanel } from '../alarms/AlarmPanel';
import { useAlarms } from '../alarms/useAlarms';
import { LinkagePanel } from '../linkage/LinkagePanel';
import type { DispatchEvent, Incident, LinkageTarget, NearestUnit } from '../linkage/types';
import { ReplayPanel } from '../replay/ReplayPanel';
import { UnitList } from '../units/UnitList';
import { VideoGrid } from '../tiles/VideoGrid';
import { placeUnits } from '../tiles/place-units';
import { PresetBar } from '../layout/PresetBar';
import { deletePreset, lastPresetName, listPresets, rememberPreset, savePreset } from '../layout/presets';
import { Header, type Page } from './Header';
import { OperatorsPage } from './OperatorsPage';
import { api, hasRole, logout, sessionRefused, type Session } from './session';
import { viewPosition } from './unit-view';

const GRIDS: readonly GridSize[] = [1, 4, 9, 16];
const DEFAULT_LAYOUT: WallLayout = { grid: 4, tiles: [], wallMode: false };
/** How often the wall asks whether its session still holds (an idle wall makes no other call). */
const SESSION_CHECK_MS = 60_000;

type SideTab = 'linkage' | 'replay';

export function Wall({ session }: { session: Session }) {
  const t = useT();
  const store = useMemo(() => new UnitStore(), []);
  const operator = session.operator;
  const canAct = hasRole(operator, 'coordinator');
  const [page, setPage] = useState<Page>('wall');
  const [layout, setLayout] = useState<WallLayout>(DEFAULT_LAYOUT);
  const [presets, setPresets] = useState<Preset[]>([]);
  const [preset, setPreset] = useState<string | null>(null);
  const [selectedUnitId, setSelectedUnitId] = useState<string | null>(null);
  const [flyTo, setFlyTo] = useState<{ lat: number; lon: number; zoom?: number; bearing?: number; instant?: boolean; key: number } | undefined>();
  /** where the map looks now (saved with a preset); kept out of state: the map moves often */
  const mapView = useRef<MapView | undefined>(undefined);
  const [sound, setSound] = useState(true);
  const { alarms, fresh, replace } = useAlarms(store, sound);
  const [target, setTarget] = useState<LinkageTarget | null>(null);
  const [pushedNearest, setPushedNearest] = useState<NearestUnit[] | null>(null);
  const [highlight, setHighlight] = useState<string[]>([]);
  const [dispatchStates, setDispatchStates] = useState<ReadonlyMap<string, DispatchEvent>>(new Map());
  const [dispatched, setDispatched] = useState<ReadonlyMap<string, string>>(new Map());
  const [incidents, setIncidents] = useState<ReadonlyMap<string, Incident>>(new Map());
  const [replay, setReplay] = useState<{ points: PositionOut[]; cursorTs?: string } | undefined>();
  const [tab, setTab] = useState<SideTab>('linkage');
  const flyKey = useRef(0);
  const targetSeq = useRef(0);
  const alarmsRef = useRef(alarms);
  alarmsRef.current = alarms;
  const incidentsRef = useRef(incidents);
  incidentsRef.current = incidents;

  const fly = useCallback((lat: number, lon: number, zoom?: number) => setFlyTo({ lat, lon, zoom, key: ++flyKey.current }), []);
  /** a preset's layout, and its map view when it has one (older presets have none: the map stays) */
  const applyLayout = useCallback((l: WallLayout) => {
    setLayout(l);
    if (l.map) setFlyTo({ lat: l.map.center.lat, lon: l.map.center.lon, zoom: l.map.zoom, bearing: l.map.bearing, instant: true, key: ++flyKey.current });
  }, []);

  const openOnTiles = useCallback((unitIds: string[]) => {
    setLayout((l) => ({ ...l, ...placeUnits(l.grid, l.tiles, unitIds) }));
  }, []);

  // the live store: one socket for the whole wall
  useEffect(() => {
    // the live socket refused the token: the session is over (expired, logged out elsewhere)
    const off = store.onConnectionState((state) => {
      if (state === 'unauthorized') sessionRefused({ code: 'HUB_ERR_AUTH_INVALID', message: '' });
    });
    store.connect({ token: session.token });
    return () => {
      off();
      store.close();
    };
  }, [store, session.token]);

  // an idle wall still learns that its session ended
  useEffect(() => {
    const timer = setInterval(() => {
      api('GET', '/api/auth/me').catch(() => undefined);
    }, SESSION_CHECK_MS);
    return () => clearInterval(timer);
  }, []);

  // when the session's time is up, ask the hub at once: its refusal brings the login screen back
  // saying the session expired, rather than leaving a wall whose calls all fail
  useEffect(() => {
    if (!session.expiresAt) return;
    const expiresAt = Date.parse(session.expiresAt);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const check = () => {
      if (stopped) return;
      const left = expiresAt - Date.now();
      if (left > 0) timer = setTimeout(check, Math.min(left + 250, 2 ** 31 - 1));
      // still accepted (this browser's clock runs ahead of the hub's): ask again shortly
      else api('GET', '/api/auth/me').then(() => (timer = setTimeout(check, 5_000)), () => undefined);
    };
    check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [session.expiresAt]);

  // presets: load the operator's, apply the last one used here
  useEffect(() => {
    listPresets()
      .then((list) => {
        setPresets(list);
        const last = lastPresetName(operator.username);
        const found = list.find((p) => p.name === last);
        if (found) {
          applyLayout(found.layout);
          setPreset(found.name);
        }
      })
      .catch(() => undefined);
  }, [operator.username, applyLayout]);

  // incidents, dispatch answers and linkage from the live feed
  useEffect(() => {
    api<Incident[]>('GET', '/api/incidents?state=open')
      .then((list) => {
        incidentsRef.current = new Map([...list.map((i) => [String(i.id), i] as const), ...incidentsRef.current]);
        setIncidents(incidentsRef.current);
      })
      .catch(() => undefined);
    // kept in the ref at once: a linkage event may follow its incident before React renders
    const offIncident = store.on('incident', (inc) => {
      incidentsRef.current = new Map(incidentsRef.current).set(String(inc.id), inc);
      setIncidents(incidentsRef.current);
    });
    const offDispatch = store.on('dispatch', (ev) => {
      setDispatchStates((m) => new Map(m).set(ev.unitId, ev));
      setDispatched((m) => new Map(m).set(ev.unitId, String(ev.incidentId)));
    });
    const offLinkage = store.on('linkage', (ev) => {
      const alarm = ev.alarmId !== undefined ? alarmsRef.current.find((a) => a.id === ev.alarmId) : undefined;
      const inc = incidentsRef.current.get(String(ev.incidentId));
      const lat = alarm?.lat ?? inc?.lat;
      const lon = alarm?.lon ?? inc?.lon;
      if (lat != null && lon != null) {
        setTarget({ lat, lon, alarmId: ev.alarmId, unitId: alarm?.unitId ?? inc?.unitId ?? undefined, incidentId: ev.incidentId, seq: ++targetSeq.current });
        setTab('linkage');
      }
      setPushedNearest(ev.nearest);
      setHighlight(ev.nearest.map((u) => u.unitId));
      openOnTiles(ev.openCameras);
    });
    return () => {
      offIncident();
      offDispatch();
      offLinkage();
    };
  }, [store, openOnTiles]);

  const unitName = useCallback((id: string) => store.units.get(id)?.name ?? id, [store]);

  const selectUnit = useCallback(
    (id: string) => {
      setSelectedUnitId(id);
      const u = store.units.get(id);
      const p = u && viewPosition(u);
      if (p) fly(p.lat, p.lon, 15);
    },
    [store, fly],
  );

  const selectAlarm = (a: Alarm) => {
    setSelectedUnitId(a.unitId);
    const u = store.units.get(a.unitId);
    const p = u && viewPosition(u);
    const lat = a.lat ?? p?.lat;
    const lon = a.lon ?? p?.lon;
    if (lat == null || lon == null) return;
    fly(lat, lon, 14);
    const inc = [...incidents.values()].find((i) => i.alarmId === a.id);
    setTarget({ lat, lon, alarmId: a.id, unitId: a.unitId, incidentId: inc?.id, seq: ++targetSeq.current });
    setPushedNearest(null);
    setTab('linkage');
  };

  const setTile = (index: number, unitId: string | null) =>
    setLayout((l) => {
      const tiles = Array.from({ length: l.grid }, (_, i) => l.tiles[i] ?? null);
      tiles[index] = unitId;
      return { ...l, tiles };
    });

  const toggleWallMode = () => {
    setLayout((l) => {
      const on = !l.wallMode;
      try {
        if (on) void document.documentElement.requestFullscreen?.().catch(() => undefined);
        else if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      } catch {
        // no full screen here: the layout still fills the window
      }
      return { ...l, wallMode: on };
    });
  };

  const save = async (name: string) => {
    const saved = await savePreset(name, { ...layout, tiles: layout.tiles.slice(0, layout.grid), map: mapView.current ?? layout.map });
    setPresets((list) => [...list.filter((p) => p.name !== name), saved].sort((a, b) => a.name.localeCompare(b.name)));
    setPreset(name);
    rememberPreset(operator.username, name);
  };
  const remove = async (name: string) => {
    await deletePreset(name);
    setPresets((list) => list.filter((p) => p.name !== name));
    setPreset(null);
    rememberPreset(operator.username, null);
  };
  const apply = (name: string) => {
    const p = presets.find((x) => x.name === name);
    if (!p) return;
    applyLayout(p.layout);
    setPreset(name);
    rememberPreset(operator.username, name);
  };

  const selectedAlarm = target?.alarmId !== undefined ? alarms.find((a) => a.id === target.alarmId) : undefined;
  const unitOptions = useMemo(
    () => [...store.units.values()].map((u) => ({ id: u.id, name: u.name })).sort((a, b) => a.name.localeCompare(b.name)),
    // recomputed when the replay tab opens or the selection changes; the list of units changes rarely
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, tab, selectedUnitId],
  );
  const openAlarms = alarms.filter((a) => a.acknowledgedAt === null);

  return (
    <div className={`wall${layout.wallMode ? ' wall-mode' : ''}`} data-testid="wall">
      <Header
        operator={operator}
        page={page}
        wallMode={layout.wallMode}
        onPage={setPage}
        onToggleWallMode={toggleWallMode}
        onLogout={() => void logout()}
      >
        <div className="grid-pick" role="group" aria-label={t('layout.grid')}>
          {GRIDS.map((g) => (
            <button key={g} className={g === layout.grid ? 'active' : 'secondary'} onClick={() => setLayout((l) => ({ ...l, grid: g }))} data-testid={`grid-${g}`}>
              {t('layout.tiles', { n: g })}
            </button>
          ))}
        </div>
        <PresetBar presets={presets} current={preset} onApply={apply} onSave={save} onDelete={remove} />
      </Header>
      {page === 'operators' ? (
        <OperatorsPage />
      ) : (
        <div className="wall-body">
          <aside className="left">
            <UnitList store={store} selectedUnitId={selectedUnitId} dispatched={dispatched} onSelect={selectUnit} onOpenCamera={(id) => openOnTiles([id])} />
          </aside>
          <main className="centre">
            <div className="map-area">
              <LiveMap
                store={store}
                selectedUnitId={selectedUnitId ?? undefined}
                onSelectUnit={selectUnit}
                onOpenCamera={(id) => openOnTiles([id])}
                onMapClick={(lat, lon) => {
                  setTarget({ lat, lon, seq: ++targetSeq.current });
                  setPushedNearest(null);
                  setTab('linkage');
                }}
                flyTo={flyTo}
                onViewChange={(v) => {
                  mapView.current = v;
                }}
                alarms={openAlarms}
                incidents={[...incidents.values()].map((i) => ({ id: i.id, lat: i.lat, lon: i.lon, state: i.state }))}
                highlightUnitIds={highlight}
                replay={replay}
              />
            </div>
            <div className="grid-area">
              <VideoGrid grid={layout.grid} tiles={layout.tiles} unitName={unitName} onSetTile={setTile} />
            </div>
          </main>
          <aside className="right">
            <AlarmPanel
              alarms={alarms}
              fresh={fresh}
              selectedAlarmId={target?.alarmId ?? null}
              canAcknowledge={canAct}
              sound={sound}
              onToggleSound={() => setSound((s) => !s)}
              unitName={unitName}
              onSelect={selectAlarm}
              onAcknowledged={(a) => {
                replace(a);
                store.alarmAcknowledged(a);
              }}
            />
            <div className="tabs" role="tablist">
              <button role="tab" className={tab === 'linkage' ? 'active' : 'secondary'} onClick={() => setTab('linkage')} data-testid="tab-linkage">
                {t('linkage.title')}
              </button>
              <button role="tab" className={tab === 'replay' ? 'active' : 'secondary'} onClick={() => setTab('replay')} data-testid="tab-replay">
                {t('replay.title')}
              </button>
            </div>
            {tab === 'linkage' ? (
              <LinkagePanel
                target={target}
                alarm={selectedAlarm}
                canDispatch={canAct}
                dispatchStates={dispatchStates}
                pushedNearest={pushedNearest}
                onNearest={(units) => setHighlight(units.map((u) => u.unitId))}
                onDispatched={(incidentId, unitIds) => {
                  setDispatched((m) => {
                    const n = new Map(m);
                    for (const id of unitIds) n.set(id, String(incidentId));
                    return n;
                  });
                  setTarget((tg) => (tg ? { ...tg, incidentId } : tg));
                  openOnTiles([...(target?.unitId ? [target.unitId] : []), ...unitIds]);
                }}
                onClear={() => {
                  setTarget(null);
                  setHighlight([]);
                  setPushedNearest(null);
                }}
              />
            ) : (
              <ReplayPanel units={unitOptions} defaultUnitId={selectedUnitId} onReplay={setReplay} />
            )}
          </aside>
        </div>
      )}
      {layout.wallMode && openAlarms.length > 0 && (
        <div className="wall-mode-alarms" data-testid="wall-mode-alarms">
          {t('wall.openAlarms', { n: openAlarms.length })} · {t(`alarm.kind.${openAlarms[0]!.kind}`)} · {unitName(openAlarms[0]!.unitId)}
        </div>
      )}
    </div>
  );
}


