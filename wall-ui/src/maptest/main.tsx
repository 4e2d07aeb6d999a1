// The live map alone, for the map's browser tests and the wall benchmark:
// /maptest.html?testHooks#token=<operator token>. Not linked from the wall.
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { UnitStore } from '../wall/live';
import { LiveMap } from '../wall/map';

export interface MapTestState {
  clicks: { lat: number; lon: number }[];
  selected: string[];
  cameras: string[];
  flyTo(lat: number, lon: number, zoom?: number): void;
}

declare global {
  interface Window {
    __mapTest?: MapTestState;
  }
}

function MapTestPage() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const token = hash.get('token') ?? '';
  // the wall benchmark's synthetic feed (bench/wall.ts --feed synthetic)
  const feedUrl = hash.get('feed') ?? undefined;
  const store = useMemo(() => new UnitStore(), []);
  // ?unitsRenderer=layer|overlay (the benchmark compares them)
  const query = new URLSearchParams(location.search);
  const renderer = query.get('unitsRenderer');
  // ?pixelRatio=0.5 (the benchmark measures what a smaller canvas gives)
  const pixelRatio = query.has('pixelRatio') ? Number(query.get('pixelRatio')) : undefined;
  const [flyTo, setFlyTo] = useState<{ lat: number; lon: number; zoom?: number; key: number }>();
  const [selected, setSelected] = useState<string>();
  const state = useMemo<MapTestState>(() => ({ clicks: [], selected: [], cameras: [], flyTo: (lat, lon, zoom) => setFlyTo({ lat, lon, zoom, key: Date.now() }) }), []);
  useEffect(() => {
    window.__mapTest = state;
    store.connect({ token, feedUrl });
    return () => store.close();
  }, [store, token, feedUrl, state]);
  return (
    <LiveMap
      store={store}
      unitsRenderer={renderer === 'layer' || renderer === 'overlay' ? renderer : undefined}
      pixelRatio={pixelRatio}
      selectedUnitId={selected}
      flyTo={flyTo}
      onSelectUnit={(id) => {
        state.selected.push(id);
        setSelected(id);
      }}
      onOpenCamera={(id) => state.cameras.push(id)}
      onMapClick={(lat, lon) => state.clicks.push({ lat, lon })}
    />
  );
}

createRoot(document.getElementById('root')!).render(<MapTestPage />);
