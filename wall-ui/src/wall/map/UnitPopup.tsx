// The clicked unit's details in a MapLibre popup that follows the unit, with "open camera".
// Plain DOM (the popup lives outside React's tree), refreshed when the store says the unit changed
// and when the operator switches the language.
import { useEffect, useRef } from 'react';
import { Popup } from 'maplibre-gl';
import type { UnitStore } from '../live/unit-store';
import { unitStatusKind, type UnitView } from '../live/types';
import { STATUS_COLOURS } from './icons';
import { useMapContext } from './map-context';
import { translate, useLocale, type Locale, type Translate } from '../i18n';

/** The popup's elements, built once; refresh() only sets their text (so a button under the pointer stays put). */
function build(el: HTMLElement, onOpenCamera?: () => void) {
  let button: HTMLButtonElement | undefined;
  const line = (cls: string) => {
    const div = document.createElement('div');
    div.className = cls;
    el.append(div);
    return div;
  };
  const title = line('hub-popup-title');
  title.style.fontWeight = '600';
  title.style.marginBottom = '4px';
  const status = line('hub-popup-status');
  const details = line('hub-popup-details');
  details.style.whiteSpace = 'pre-line';
  details.style.opacity = '0.85';
  if (onOpenCamera) {
    button = document.createElement('button');
    button.type = 'button';
    button.className = 'hub-open-camera';
    button.style.marginTop = '6px';
    button.onclick = onOpenCamera;
    el.append(button);
  }
  return (u: UnitView, locale: Locale) => {
    const t: Translate = (key, vars) => translate(locale, key, vars);
    const labelled = (label: string, value: string) => t('map.unit.line', { label, value });
    const kind = unitStatusKind(u);
    if (button) button.textContent = t('map.unit.openCamera');
    title.textContent = `${u.name} (${u.id})`;
    status.dataset.status = kind;
    status.textContent = `${t(`map.unit.type.${u.type}`)} · ${t(`map.unit.status.${kind}`)}`;
    status.style.color = STATUS_COLOURS[kind];
    const lines: string[] = [];
    if (u.team) lines.push(labelled(t('map.unit.team'), u.team));
    if (u.ts) {
      lines.push(labelled(t('map.unit.speed'), u.speed === null ? t('map.unit.none') : t('map.unit.speedValue', { kmh: (u.speed * 3.6).toFixed(0) })));
      lines.push(labelled(t('map.unit.heading'), u.heading === null ? t('map.unit.none') : t('map.unit.headingValue', { deg: Math.round(u.heading) })));
      if (u.battery !== null) lines.push(labelled(t('map.unit.battery'), t('map.unit.batteryValue', { pct: Math.round(u.battery) })));
      lines.push(labelled(t('map.unit.lastFix'), new Date(u.ts).toLocaleTimeString(locale, { hour12: false })));
    } else {
      lines.push(labelled(t('map.unit.lastFix'), t('map.unit.noFix')));
    }
    details.textContent = lines.join('\n');
  };
}

export function UnitPopup({ store, unitId, onOpenCamera, onClose }: { store: UnitStore; unitId: string; onOpenCamera?: (unitId: string) => void; onClose(): void }) {
  const { map, projector } = useMapContext();
  const locale = useLocale();
  const localeRef = useRef(locale);
  localeRef.current = locale;
  const refreshRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    const el = document.createElement('div');
    el.className = 'hub-unit-popup';
    el.style.color = '#0b0f14';
    el.style.font = '13px system-ui, sans-serif';
    el.style.minWidth = '180px';
    const popup = new Popup({ closeOnClick: false, offset: 16, maxWidth: '280px' }).setDOMContent(el);
    const fill = build(el, onOpenCamera ? () => onOpenCamera(unitId) : undefined);
    let shown = false;
    let closedByUs = false;
    const refresh = () => {
      const u = store.units.get(unitId);
      if (!u || u.lat === null || u.lon === null) return;
      fill(u, localeRef.current);
      popup.setLngLat(projector.toMap(u.lat, u.lon));
      if (!shown) {
        popup.addTo(map);
        shown = true;
      }
      // MapLibre's own close button comes with an English label
      popup.getElement()?.querySelector('.maplibregl-popup-close-button')?.setAttribute('aria-label', translate(localeRef.current, 'map.ui.closePopup'));
    };
    popup.on('close', () => {
      if (!closedByUs) onClose();
    });
    refresh();
    refreshRef.current = refresh;
    const off = store.subscribe((ids) => ids.includes(unitId) && refresh());
    return () => {
      off();
      closedByUs = true;
      popup.remove();
    };
    // onClose/onOpenCamera are read when called; a new function each render must not reopen the popup
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, projector, store, unitId]);
  // a language switch redraws the open popup's text in place
  useEffect(() => refreshRef.current(), [locale]);
  return null;
}
