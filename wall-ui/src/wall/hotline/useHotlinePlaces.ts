// The open hotline cases' places for the map: asked of the hub again whenever the live feed's
// hotline incidents change (one opens, moves on or closes), not on every other incident's news.
import { useEffect, useMemo, useState } from 'react';
import type { HotlinePlace, Incident } from '@hub/config';
import { api } from '../app/session';

export function useHotlinePlaces(incidents: ReadonlyMap<number, Incident>): HotlinePlace[] {
  const [places, setPlaces] = useState<HotlinePlace[]>([]);
  const key = useMemo(
    () =>
      [...incidents.values()]
        .filter((i) => i.type === 'hotline')
        .map((i) => `${i.id}:${i.state}`)
        .sort()
        .join(','),
    [incidents],
  );
  useEffect(() => {
    let gone = false;
    api<HotlinePlace[]>('GET', '/api/hotline/places').then(
      (p) => !gone && setPlaces(p),
      () => undefined, // the map keeps the last places; the next change asks again
    );
    return () => {
      gone = true;
    };
  }, [key]);
  return places;
}
