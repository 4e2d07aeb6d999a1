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
    /** A new, unacknowledged alarm: its kind's sound, and a flash. */
    const announce = (a: Alarm) => {
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
    };
    const off = store.onAlarm((a) => {
      if (!loaded) {
        live.push(a);
        return;
      }
      const isNew = !byId.has(a.id) && a.acknowledgedAt === null;
      byId.set(a.id, a);
      publish();
      if (isNew) announce(a);
    });
    // The list is read again at every (re)connect of the live feed: an alarm raised after the
    // first read but before the feed was live (a slow connect, a reconnect) is in no batch.
    const load = () =>
      api<Alarm[]>('GET', `/api/alarms?limit=${KEEP}`)
        .then((list) => {
          for (const a of list) {
            // after the first list, one that came while the feed was away is announced as it would have been live
            if (loaded && !byId.has(a.id) && a.acknowledgedAt === null) announce(a);
            byId.set(a.id, later(byId.get(a.id), a));
          }
        })
        .catch(() => undefined)
        .finally(() => {
          loaded = true;
          for (const a of live.splice(0)) byId.set(a.id, a);
          publish();
        });
    void load();
    const offState = store.onConnectionState((state) => state === 'live' && void load());
    return () => {
      cancelled = true;
      off();
      offState();
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

/** Of two copies of one alarm, the one further on: acknowledged over not, more repeats over fewer. */
function later(known: Alarm | undefined, read: Alarm): Alarm {
  if (!known) return read;
  if ((known.acknowledgedAt !== null) !== (read.acknowledgedAt !== null)) return known.acknowledgedAt !== null ? known : read;
  return (read.repeats ?? 0) >= (known.repeats ?? 0) ? read : known;
}
