// The clicked unit's details in a MapLibre popup that follows the unit, with "open camera" and,
// on a JT/T 808 vehicle terminal, "Locate now" (the hub asks the terminal where it is: 0x8201)
// and a camera button per logical channel when it has several (JT/T 1078: a truck's cameras).
// Plain DOM (the popup lives outside React's tree), refreshed when the store says the unit changed
// and when the operator switches the language.
import { useEffect, useRef } from 'react';
import { Popup } from 'maplibre-gl';
import type { LocateResponse } from '@hub/config';
import { errorText } from '../i18n/errors';
import type { UnitStore } from '../live/unit-store';
import { unitStatusKind, type UnitView } from '../live/types';
import { STATUS_COLOURS } from './icons';
import { useMapContext } from './map-context';
import { translate, useLocale, type Locale, type Translate } from '../i18n';

/** Where "Locate now" stands: asking, answered (with or without a fix), or refused. */
type Located = { kind: 'busy' } | { kind: 'done'; answer: LocateResponse } | { kind: 'failed'; err: unknown };

/** "Locate now" beside the details: shown only on JT/T 808 terminals (an MQTT unit reports by itself at its own rate). */
function locateControls(el: HTMLElement, onLocate: () => Promise<LocateResponse>, redraw: () => void) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'hub-locate-now';
  button.style.marginTop = '6px';
  const result = document.createElement('div');
  result.className = 'hub-locate-result';
  result.style.marginTop = '4px';
  let located: Located | undefined;
  button.onclick = () => {
    located = { kind: 'busy' };
    redraw();
    onLocate()
      .then(
        (answer) => (located = { kind: 'done', answer }),
        (err: unknown) => (located = { kind: 'failed', err }),
      )
      .finally(redraw);
  };
  el.append(button, result);
  return (u: UnitView, t: Translate, locale: Locale) => {
    const terminal = Boolean(u.jt808);
    button.style.display = terminal ? '' : 'none';
    result.style.display = terminal && located ? '' : 'none';
    button.disabled = located?.kind === 'busy';
    button.textContent = t('map.unit.locateNow');
    const time = (iso: string) => new Date(iso).toLocaleTimeString(locale, { hour12: false });
    result.dataset.state = located?.kind ?? '';
    result.style.color = located?.kind === 'failed' ? '#b42318' : '';
    if (!located) result.textContent = '';
    else if (located.kind === 'busy') result.textContent = t('map.unit.locating');
    // (the wall's sentence for HUB_ERR_UNIT_OFFLINE speaks of the camera)
    else if (located.kind === 'failed') result.textContent = (located.err as { code?: string }).code === 'HUB_ERR_UNIT_OFFLINE' ? t('map.unit.locateOffline') : errorText(t, located.err);
    else if (located.answer.position) result.textContent = t('map.unit.located', { time: time(located.answer.position.ts) });
    else result.textContent = t('map.unit.locatedNoFix', { time: time(located.answer.answeredAt) });
  };
}

/** A vehicle's own readings with its latest fix (a JT/T 808 terminal's odometer, fuel, satellites), those it reports. */
function vehicleLines({ vehicle: v }: UnitView, t: Translate, locale: Locale): string[] {
  if (!v) return [];
  const labelled = (label: string, value: string) => t('map.unit.line', { label, value });
  const number = (n: number, digits = 0) => n.toLocaleString(locale, { maximumFractionDigits: digits });
  const lines: string[] = [];
  if (v.odometerKm !== undefined) lines.push(labelled(t('map.unit.odometer'), t('map.unit.odometerValue', { km: number(v.odometerKm, 1) })));
  if (v.fuelL !== undefined) lines.push(labelled(t('map.unit.fuel'), t('map.unit.fuelValue', { l: number(v.fuelL, 1) })));
  if (v.satellites !== undefined) lines.push(labelled(t('map.unit.satellites'), number(v.satellites)));
  if (v.signal !== undefined) lines.push(labelled(t('map.unit.signal'), number(v.signal)));
  return lines;
}

/** "Open camera", or on a terminal with several cameras one button per channel ("Camera 2"); rebuilt only when its channels change. */
function cameraButtons(el: HTMLElement, onOpenCamera: (channel: number) => void) {
  const box = document.createElement('div');
  box.className = 'hub-camera-buttons';
  // inline: "Locate now" follows on the same line, as it did beside the one camera button
  box.style.display = 'inline';
  el.append(box);
  let shown = '';
  return (u: UnitView, t: Translate) => {
    const channels = u.jt808 && u.jt808.channels.length > 1 ? u.jt808.channels : [1];
    if (channels.join() !== shown) {
      shown = channels.join();
      box.replaceChildren(
        ...channels.map((channel) => {
          const button = document.createElement('button');
          button.type = 'button';
          button.className = 'hub-open-camera';
          button.dataset.channel = String(channel);
          button.style.marginTop = '6px';
          // on the right, not the left: a button that wraps to the next line starts at the edge
          button.style.marginRight = '6px';
          button.onclick = () => onOpenCamera(channel);
          return button;
        }),
      );
    }
    for (const button of box.querySelectorAll<HTMLButtonElement>('button')) {
      button.textContent = channels.length > 1 ? t('map.unit.openChannel', { channel: button.dataset.channel! }) : t('map.unit.openCamera');
    }
  };
}

/** The popup's elements, built once; refresh() only sets their text (so a button under the pointer stays put). */
function build(el: HTMLElement, onOpenCamera?: (channel: number) => void, onLocate?: () => Promise<LocateResponse>) {
  let last: [UnitView, Locale] | undefined;
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
  const cameras = onOpenCamera && cameraButtons(el, onOpenCamera);
  const locate = onLocate && locateControls(el, onLocate, () => last && fill(...last));
  const fill = (u: UnitView, locale: Locale) => {
    last = [u, locale];
    const t: Translate = (key, vars) => translate(locale, key, vars);
    locate?.(u, t, locale);
    const labelled = (label: string, value: string) => t('map.unit.line', { label, value });
    const kind = unitStatusKind(u);
    cameras?.(u, t);
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
      lines.push(...vehicleLines(u, t, locale));
      lines.push(labelled(t('map.unit.lastFix'), new Date(u.ts).toLocaleTimeString(locale, { hour12: false })));
    } else {
      lines.push(labelled(t('map.unit.lastFix'), t('map.unit.noFix')));
    }
    details.textContent = lines.join('\n');
  };
  return fill;
}

export interface UnitPopupProps {
  store: UnitStore;
  unitId: string;
  /** the unit's camera on a tile; `channel` a terminal's logical channel (1 when it has one camera) */
  onOpenCamera?: (unitId: string, channel: number) => void;
  /** "Locate now" on a JT/T 808 terminal: POST /api/units/{id}/locate */
  onLocate?: (unitId: string) => Promise<LocateResponse>;
  onClose(): void;
}

export function UnitPopup({ store, unitId, onOpenCamera, onLocate, onClose }: UnitPopupProps) {
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
    const fill = build(el, onOpenCamera ? (channel) => onOpenCamera(unitId, channel) : undefined, onLocate ? () => onLocate(unitId) : undefined);
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
    // onClose/onOpenCamera/onLocate are read when called; a new function each render must not reopen the popup
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [map, projector, store, unitId]);
  // a language switch redraws the open popup's text in place
  useEffect(() => refreshRef.current(), [locale]);
  return null;
}
