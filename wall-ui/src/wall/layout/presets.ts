// The operator's named layouts, kept by the hub (/api/presets/{name}); the last one used
// is remembered in this browser and applied at login.
import type { Preset, WallLayout } from '@hub/config';
import { api } from '../app/session';

export const listPresets = () => api<Preset[]>('GET', '/api/presets');
export const savePreset = (name: string, layout: WallLayout) => api<Preset>('PUT', `/api/presets/${encodeURIComponent(name)}`, { layout });
export const deletePreset = (name: string) => api<void>('DELETE', `/api/presets/${encodeURIComponent(name)}`);

const lastKey = (operator: string) => `wall.preset.${operator}`;

export function lastPresetName(operator: string): string | null {
  try {
    return localStorage.getItem(lastKey(operator));
  } catch {
    return null;
  }
}

export function rememberPreset(operator: string, name: string | null): void {
  try {
    if (name) localStorage.setItem(lastKey(operator), name);
    else localStorage.removeItem(lastKey(operator));
  } catch {
    // not remembered
  }
}
