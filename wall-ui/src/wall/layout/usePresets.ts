// Owns the operator's saved layouts: loads them, applies the last one used in this browser,
// and saves (with the map's view), applies and deletes them.
import { useEffect, useState, type RefObject } from 'react';
import type { MapView, Preset, WallLayout } from '@hub/config';
import type { OperatorInfo } from '../app/session';
import { deletePreset, lastPresetName, listPresets, rememberPreset, savePreset } from './presets';

export interface PresetsState {
  presets: Preset[];
  /** the preset applied last, if any */
  current: string | null;
  apply(name: string): void;
  save(name: string): Promise<void>;
  remove(name: string): Promise<void>;
}

export function usePresets(operator: OperatorInfo, layout: WallLayout, applyLayout: (l: WallLayout) => void, mapView: RefObject<MapView | undefined>): PresetsState {
  const [presets, setPresets] = useState<Preset[]>([]);
  const [current, setCurrent] = useState<string | null>(null);
  const username = operator.username;

  // load the operator's, apply the last one used here
  useEffect(() => {
    listPresets()
      .then((list) => {
        setPresets(list);
        const last = lastPresetName(username);
        const found = list.find((p) => p.name === last);
        if (found) {
          applyLayout(found.layout);
          setCurrent(found.name);
        }
      })
      .catch(() => undefined);
  }, [username, applyLayout]);

  const save = async (name: string) => {
    const saved = await savePreset(name, { ...layout, tiles: layout.tiles.slice(0, layout.grid), map: mapView.current ?? layout.map });
    setPresets((list) => [...list.filter((p) => p.name !== name), saved].sort((a, b) => a.name.localeCompare(b.name)));
    setCurrent(name);
    rememberPreset(username, name);
  };
  const remove = async (name: string) => {
    await deletePreset(name);
    setPresets((list) => list.filter((p) => p.name !== name));
    setCurrent(null);
    rememberPreset(username, null);
  };
  const apply = (name: string) => {
    const p = presets.find((x) => x.name === name);
    if (!p) return;
    applyLayout(p.layout);
    setCurrent(name);
    rememberPreset(username, name);
  };

  return { presets, current, apply, save, remove };
}
