// React bindings to the unit store. Each hook re-renders at most once per animation frame,
// and only when something it reads changed.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { UnitStore } from './unit-store';
import type { ConnectionState, UnitView } from './types';

/** The live feed's state, for a status badge. */
export function useConnectionState(store: UnitStore): ConnectionState {
  return useSyncExternalStore(
    (fn) => store.onConnectionState(fn),
    () => store.connectionState,
  );
}

/** One unit, re-rendered when that unit changes. */
export function useUnit(store: UnitStore, unitId: string | undefined): UnitView | undefined {
  return useSyncExternalStore(
    (fn) => store.subscribe((ids) => unitId !== undefined && ids.includes(unitId) && fn()),
    () => (unitId === undefined ? undefined : store.units.get(unitId)),
  );
}

/** A number that grows whenever any unit changed (at most once per frame); for lists that re-read the store. */
export function useStoreVersion(store: UnitStore, minIntervalMs = 0): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = store.subscribe(() => {
      const now = Date.now();
      if (now - last >= minIntervalMs) {
        last = now;
        setVersion((v) => v + 1);
      } else if (!timer) {
        timer = setTimeout(
          () => {
            timer = undefined;
            last = Date.now();
            setVersion((v) => v + 1);
          },
          minIntervalMs - (now - last),
        );
      }
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, minIntervalMs]);
  return version;
}
