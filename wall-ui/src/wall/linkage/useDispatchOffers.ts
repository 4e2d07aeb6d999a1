// The hub's offers after a refusal or a time-out (live `offer` events): the latest per incident,
// until the coordinator dispatches the offered unit or dismisses it.
import { useCallback, useEffect, useState } from 'react';
import type { UnitStore } from '../live/unit-store';
import type { DispatchOfferEvent } from './types';

export interface DispatchOffers {
  /** the open offers of one incident, newest first */
  forIncident(incidentId: number | null | undefined): DispatchOfferEvent[];
  dismiss(offer: DispatchOfferEvent): void;
}

export function useDispatchOffers(store: UnitStore): DispatchOffers {
  const [offers, setOffers] = useState<readonly DispatchOfferEvent[]>([]);
  // one offer per unit that refused or did not answer: a repeat replaces it
  useEffect(() => store.on('offer', (o) => setOffers((list) => [o, ...list.filter((x) => !(x.incidentId === o.incidentId && x.unitId === o.unitId))])), [store]);
  const forIncident = useCallback((id: number | null | undefined) => (id == null ? [] : offers.filter((o) => o.incidentId === id)), [offers]);
  const dismiss = useCallback((offer: DispatchOfferEvent) => setOffers((list) => list.filter((o) => o !== offer)), []);
  return { forIncident, dismiss };
}
