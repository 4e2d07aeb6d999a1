// The wall's alarms: the newest 200 from GET /api/alarms, then live from the store (an
// acknowledgement arrives as the same alarm again, so alarms are kept by id). A new,
// unacknowledged alarm sounds its kind's pattern and flashes; a repeat counted on an alarm
// (flood control) updates its row quietly.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alarm } from '@hub/config';
import type { UnitStore } from '../live/unit-store';
import { api } from '../app/session';
import { beep } from './beep';

const KEEP = 200;
/** How long a new alarm flashes. */
export const FLASH_MS = 6000;

export function useAlarms(store: UnitStore, sound: boolean) {
  const [alarms, setAlarms] = useState<Alarm[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const byIdRef = useRef(new Map<number, Alarm>());

  useEffect(() => {
    let cancelled = false;
    const byId = byIdRef.current;
    byId.clear();
    const publish = () => {
      if (!cancelled) setAlarms([...byId.values()].sort((a, b) => b.ts.localeCompare(a.ts) || b.id - a.id).slice(0, KEEP));
    };
    const live: Alarm[] = [];
    let loaded = false;
    const off = store.onAlarm((a) => {
      if (!loaded) {
        live.push(a);
        return;
      }
      const isNew = !byId.has(a.id) && a.acknowledgedAt === null;
      byId.set(a.id, a);
      publish();
      if (isNew) {
        if (soundRef.on) beep(a.kind);
        setFresh((f) => new Set(f).add(a.id));
        setTimeout(
          () =>
            setFresh((f) => {
              const n = new Set(f);
              n.delete(a.id);
              return n;
            }),
          FLASH_MS,
        );
      }
    });
    api<Alarm[]>('GET', `/api/alarms?limit=${KEEP}`)
      .then((list) => {
        for (const a of list) byId.set(a.id, a);
      })
      .catch(() => undefined)
      .finally(() => {
        loaded = true;
        for (const a of live.splice(0)) byId.set(a.id, a);
        publish();
      });
    return () => {
      cancelled = true;
      off();
    };
  }, [store]);

  useEffect(() => {
    soundRef.on = sound;
  }, [sound]);

  /** Alarms the wall changed itself (acknowledgements), before the live feed repeats them. */
  const replace = useCallback((changed: readonly Alarm[]) => {
    const byId = new Map(changed.map((a) => [a.id, a]));
    for (const a of changed) byIdRef.current.set(a.id, a);
    setAlarms((list) => list.map((x) => byId.get(x.id) ?? x));
  }, []);
  return { alarms, fresh, replace };
}

const soundRef = { on: true };
