// The clicked unit's details in a MapLibre popup that follows the unit, with "open camera".
// Plain DOM (the popup lives outside React's tree), refreshed when the store says the unit changed.
import { useEffect } from 'react';
import { Popup } from 'maplibre-gl';
import type { UnitStore } from '../live/unit-store';
import { unitStatusKind, type UnitView } from '../live/types';
import { STATUS_COLOURS } from './icons';
import { useMapContext } from './map-context';
import { mt } from './messages';

function row(label: string, value: string): HTMLElement {
  const div = document.createElement('div');
  div.className = 'hub-popup-row';
  const l = document.createElement('span');
  l.textContent = label;
  l.style.opacity = '0.7';
  l.style.marginRight = '6px';
  const v = document.createElement('span');
  v.textContent = value;
  div.append(l, v);
  return div;
}

function render(el: HTMLElement, u: UnitView, onOpenCamera?: (unitId: string) => void): void {
  const status = unitStatusKind(u);
  el.replaceChildren();
  const title = document.createElement('div');
  title.style.fontWeight = '600';
  title.style.marginBottom = '4px';
  title.textContent = `${u.name} (${u.id})`;
  const badge = document.createElement('div');
  badge.dataset.status = status;
  badge.className = 'hub-popup-status';
  badge.textContent = `${mt(`map.unit.type.${u.type}`)} · ${mt(`map.unit.status.${status}`)}`;
  badge.style.color = STATUS_COLOURS[status];
  el.append(title, badge);
  if (u.team) el.append(row(mt('map.unit.team'), u.team));
  if (u.ts) {
    el.append(row(mt('map.unit.speed'), u.speed === null ? '–' : `${(u.speed * 3.6).toFixed(0)} km/h`));
    el.append(row(mt('map.unit.heading'), u.heading === null ? '–' : `${Math.round(u.heading)}°`));
    if (u.battery !== null) el.append(row(mt('map.unit.battery'), `${Math.round(u.battery)}%`));
    el.append(row(mt('map.unit.lastFix'), new Date(u.ts).toLocaleTimeString()));
  } else {
    el.append(row(mt('map.unit.lastFix'), mt('map.unit.noFix')));
  }
  if (onOpenCamera) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'hub-open-camera';
    button.textContent = mt('map.unit.openCamera');
    button.style.marginTop = '6px';
    button.onclick = () => onOpenCamera(u.id);
    el.append(button);
  }
}

export function UnitPopup({ store, unitId, onOpenCamera, onClose }: { store: UnitStore; unitId: string; onOpenCamera?: (unitId: string) => void; onClose(): void }) {
  const { map, projector } = useMapContext();
  useEffect(() => {
    const el = document.createElement('div');
    el.className = 'hub-unit-popup';
    el.style.color = '#0b0f14';
    el.style.font = '13px system-ui, sans-serif';
    el.style.minWidth = '180px';
    const popup = new Popup({ closeOnClick: false, offset: 16, maxWidth: '280px' }).setDOMContent(el);
    let shown = false;
    let closedByUs = false;
    const refresh = () => {
      const u = store.units.get(unitId);
      if (!u || u.lat === null || u.lon === null) return;
      render(el, u, onOpenCamera);
      popup.setLngLat(projector.toMap(u.lat, u.lon));
      if (!shown) {
        popup.addTo(map);
        shown = true;
      }
    };
    popup.on('close', () => {
      if (!closedByUs) onClose();
    });
    refresh();
    const off = store.subscribe((ids) => ids.includes(unitId) && refresh());
    return () => {
      off();
      closedByUs = true;
      popup.remove();
    };
    // onClose/onOpenCamera are read when called; a new function each render must not reopen the popup
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, projector, store, unitId]);
  return null;
}
