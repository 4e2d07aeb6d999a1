// The wall: header, map, video grid, unit list, alarms, linkage and replay, for one
// logged-in operator. Its state lives in hooks, one concern each (session watch, layout,
// presets, incident feed, linkage target, alarms); this component wires them to the panels.
import { useCallback, useMemo, useState } from 'react';
import { cameraKey, cameraOfKey, OPEN_INCIDENT_STATES, type Alarm, type LocateResponse, type PositionOut } from '@hub/config';
import { UnitStore } from '../live/unit-store';
import { LiveMap } from '../map/LiveMap';
import { useT } from '../i18n';
import { AlarmPanel } from '../alarms/AlarmPanel';
import { useAlarms } from '../alarms/useAlarms';
import { mostUrgentOpen } from '../alarms/alarm-groups';
import { useIncidentFeed } from '../incidents/useIncidentFeed';
import { IncidentsTab } from '../incidents/IncidentsTab';
import { LinkagePanel } from '../linkage/LinkagePanel';
import { useLinkageTarget } from '../linkage/useLinkageTarget';
import { useDispatchOffers } from '../linkage/useDispatchOffers';
import { ReplayPanel } from '../replay/ReplayPanel';
import { HotlinePanel } from '../hotline/HotlinePanel';
import { UnitList } from '../units/UnitList';
import { VideoGrid } from '../tiles/VideoGrid';
import { PresetBar } from '../layout/PresetBar';
import { usePresets } from '../layout/usePresets';
import { GRIDS, useWallLayout } from '../layout/useWallLayout';
import { Header, type Page } from './Header';
import { OperatorsPage } from './OperatorsPage';
import { UnitsAdminPage } from '../admin/UnitsAdminPage';
import { AuditPage } from '../admin/AuditPage';
import { DepartmentsAdminPage } from '../admin/DepartmentsAdminPage';
import { useHotlinePlaces } from '../hotline/useHotlinePlaces';
import { api, hasRole, logout, type Session } from './session';
import { useSessionWatch } from './useSessionWatch';
import { viewPosition } from './unit-view';

export function Wall({ session }: { session: Session }) {
  const t = useT();
  const store = useMemo(() => new UnitStore(), []);
  const operator = session.operator;
  const canAct = hasRole(operator, 'coordinator');
  const [page, setPage] = useState<Page>('wall');
  const [selectedUnitId, setSelectedUnitId] = useState<string | null>(null);
  const [sound, setSound] = useState(true);
  const [replay, setReplay] = useState<{ points: PositionOut[]; cursorTs?: string } | undefined>();
  /** the place of the hotline complaint being written down: a map click while its tab is open */
  const [hotlinePlace, setHotlinePlace] = useState<{ lat: number; lon: number } | undefined>();

  // in this order, as their effects subscribe and first ask the hub: alarms before the socket connects
  const { alarms, fresh, replace } = useAlarms(store, sound);
  useSessionWatch(session, store);
  const { layout, flyTo, mapView, fly, applyLayout, openOnTiles, setTile, setGrid, toggleWallMode, viewChanged } = useWallLayout();
  const presets = usePresets(operator, layout, applyLayout, mapView);
  const feed = useIncidentFeed(store);
  const linkage = useLinkageTarget(store, { openOnTiles });
  const { target, tab } = linkage;
  const offers = useDispatchOffers(store);
  const hotlinePlaces = useHotlinePlaces(feed.incidents);
  /** a case picked on the map (a hotline marker): the incidents tab opens it */
  const [pickedIncident, setPickedIncident] = useState<{ id: number; key: number } | undefined>();
  const pickIncident = (id: number) => {
    linkage.setTab('incidents');
    setPickedIncident({ id, key: Date.now() });
  };

  const unitName = useCallback((id: string) => store.units.get(id)?.name ?? id, [store]);
  // a tile's camera key → its unit's name, and on a terminal with several cameras which one it is
  const cameraName = useCallback(
    (key: string) => {
      const { unitId, channel } = cameraOfKey(key);
      const u = store.units.get(unitId);
      const name = u?.name ?? unitId;
      return u?.jt808 && (u.jt808.channels.length > 1 || channel !== 1) ? t('tile.channel', { name, channel }) : name;
    },
    [store, t],
  );

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
    linkage.targetAlarm(a, lat, lon, feed.incidentForAlarm(a.id)?.id);
  };

  const selectedAlarm = target?.alarmId !== undefined ? alarms.find((a) => a.id === target.alarmId) : undefined;
  const unitOptions = useMemo(
    () => [...store.units.values()].map((u) => ({ id: u.id, name: u.name })).sort((a, b) => a.name.localeCompare(b.name)),
    // recomputed when the replay tab opens or the selection changes; the list of units changes rarely
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [store, tab, selectedUnitId],
  );
  const openAlarms = alarms.filter((a) => a.acknowledgedAt === null);
  const urgent = mostUrgentOpen(openAlarms);
  const openIncidents = [...feed.incidents.values()].filter((i) => OPEN_INCIDENT_STATES.includes(i.state)).length;

  return (
    <div className={`wall${layout.wallMode ? ' wall-mode' : ''}`} data-testid="wall">
      <Header operator={operator} page={page} wallMode={layout.wallMode} onPage={setPage} onToggleWallMode={toggleWallMode} onLogout={() => void logout()}>
        <div className="grid-pick" role="group" aria-label={t('layout.grid')}>
          {GRIDS.map((g) => (
            <button key={g} className={g === layout.grid ? 'active' : 'secondary'} onClick={() => setGrid(g)} data-testid={`grid-${g}`}>
              {t('layout.tiles', { n: g })}
            </button>
          ))}
        </div>
        <PresetBar presets={presets.presets} current={presets.current} onApply={presets.apply} onSave={presets.save} onDelete={presets.remove} />
      </Header>
      {page === 'operators' ? (
        <OperatorsPage />
      ) : page === 'units' ? (
        <UnitsAdminPage />
      ) : page === 'departments' ? (
        <DepartmentsAdminPage />
      ) : page === 'audit' ? (
        <AuditPage />
      ) : (
        <div className="wall-body">
          <aside className="left">
            <UnitList store={store} selectedUnitId={selectedUnitId} dispatched={feed.dispatched} onSelect={selectUnit} onOpenCamera={(id) => openOnTiles([id])} />
          </aside>
          <main className="centre">
            <div className="map-area">
              <LiveMap
                store={store}
                selectedUnitId={selectedUnitId ?? undefined}
                onSelectUnit={selectUnit}
                onOpenCamera={(id, channel) => openOnTiles([cameraKey(id, channel)])}
                onLocate={(id) => api<LocateResponse>('POST', `/api/units/${encodeURIComponent(id)}/locate`)}
                onMapClick={tab === 'hotline' ? (lat, lon) => setHotlinePlace({ lat, lon }) : linkage.targetPoint}
                flyTo={flyTo}
                onViewChange={viewChanged}
                alarms={openAlarms}
                incidents={[...feed.incidents.values()].map((i) => ({ id: i.id, lat: i.lat, lon: i.lon, state: i.state }))}
                hotlinePlaces={hotlinePlaces}
                onSelectIncident={pickIncident}
                highlightUnitIds={linkage.highlight}
                replay={replay}
              />
            </div>
            <div className="grid-area">
              <VideoGrid grid={layout.grid} tiles={layout.tiles} unitName={cameraName} onSetTile={setTile} />
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
              onAcknowledged={(acked) => {
                replace(acked);
                for (const a of acked) store.alarmAcknowledged(a);
              }}
            />
            <div className="tabs" role="tablist">
              <button role="tab" className={tab === 'linkage' ? 'active' : 'secondary'} onClick={() => linkage.setTab('linkage')} data-testid="tab-linkage" title={t('linkage.title')}>
                {t('linkage.tab')}
              </button>
              <button role="tab" className={tab === 'incidents' ? 'active' : 'secondary'} onClick={() => linkage.setTab('incidents')} data-testid="tab-incidents">
                {t('incidents.tab')}
                {openIncidents > 0 && <span className="tab-count">{openIncidents}</span>}
              </button>
              <button role="tab" className={tab === 'replay' ? 'active' : 'secondary'} onClick={() => linkage.setTab('replay')} data-testid="tab-replay" title={t('replay.title')}>
                {t('replay.tab')}
              </button>
              {canAct && (
                <button role="tab" className={tab === 'hotline' ? 'active' : 'secondary'} onClick={() => linkage.setTab('hotline')} data-testid="tab-hotline">
                  {t('hotline.tab')}
                </button>
              )}
            </div>
            {tab === 'linkage' ? (
              <LinkagePanel
                target={target}
                alarm={selectedAlarm}
                canDispatch={canAct}
                dispatchStates={feed.dispatchStates}
                incident={target?.incidentId !== undefined ? feed.incidents.get(target.incidentId) : undefined}
                offers={offers.forIncident(target?.incidentId)}
                onDismissOffer={offers.dismiss}
                pushedNearest={linkage.pushedNearest}
                onNearest={linkage.showNearest}
                onDispatched={(incidentId, unitIds) => {
                  feed.unitsDispatched(incidentId, unitIds);
                  linkage.incidentMade(incidentId);
                  openOnTiles([...(target?.unitId ? [target.unitId] : []), ...unitIds]);
                }}
                onClear={linkage.clear}
              />
            ) : tab === 'incidents' ? (
              <IncidentsTab live={feed.incidents} canAct={canAct} canOverride={hasRole(operator, 'admin')} picked={pickedIncident} onShowOnMap={(i) => fly(i.lat, i.lon, 15)} />
            ) : tab === 'hotline' ? (
              <HotlinePanel place={hotlinePlace} />
            ) : (
              <ReplayPanel units={unitOptions} defaultUnitId={selectedUnitId} onReplay={setReplay} />
            )}
          </aside>
        </div>
      )}
      {layout.wallMode && urgent && (
        <div className={`wall-mode-alarms alarm-${urgent.kind}`} data-testid="wall-mode-alarms" data-kind={urgent.kind}>
          {t('wall.openAlarms', { n: openAlarms.length })} · {t(`alarm.kind.${urgent.kind}`)} · {unitName(urgent.unitId)}
        </div>
      )}
    </div>
  );
}
