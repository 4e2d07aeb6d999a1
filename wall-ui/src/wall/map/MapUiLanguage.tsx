// MapLibre's own interface text (the canvas's label, the attribution button's) follows the
// wall's language: MapLibre takes its strings once, from `locale` when a control is added, so a
// switch patches the map's table for controls added later and relabels the ones already there.
import { useEffect } from 'react';
import { translate, useLocale, type Locale } from '../i18n';
import { useMapContext } from './map-context';

/** MapLibre's string ids (its src/ui/default_locale) the wall's map shows, with our keys. */
function maplibreStrings(locale: Locale): Record<string, string> {
  return {
    'Map.Title': translate(locale, 'map.ui.map'),
    'Popup.Close': translate(locale, 'map.ui.closePopup'),
    'AttributionControl.ToggleAttribution': translate(locale, 'map.ui.toggleAttribution'),
  };
}

export function MapUiLanguage() {
  const { map } = useMapContext();
  const locale = useLocale();
  useEffect(() => {
    const strings = maplibreStrings(locale);
    map._locale = { ...map._locale, ...strings };
    const root = map.getContainer();
    map.getCanvas().setAttribute('aria-label', strings['Map.Title']!);
    root.querySelectorAll('.maplibregl-ctrl-attrib-button').forEach((el) => {
      el.setAttribute('title', strings['AttributionControl.ToggleAttribution']!);
      el.setAttribute('aria-label', strings['AttributionControl.ToggleAttribution']!);
    });
    root.querySelectorAll('.maplibregl-popup-close-button').forEach((el) => el.setAttribute('aria-label', strings['Popup.Close']!));
  }, [map, locale]);
  return null;
}
