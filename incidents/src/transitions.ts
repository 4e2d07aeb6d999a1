// The incident lifecycle: which state may follow which. Reopening (resolved/closed → reported)
// needs a reason; the automatic moves (en route from a unit's ack, on scene from its GPS) use the
// same table.
import type { IncidentState } from '@hub/config';

export const ALLOWED: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  reported: ['dispatched', 'resolved', 'closed'],
  dispatched: ['en_route', 'on_scene', 'resolved', 'closed'],
  en_route: ['on_scene', 'resolved', 'closed'],
  on_scene: ['resolved', 'closed'],
  resolved: ['closed', 'reported'],
  closed: ['reported'],
};

export function canMove(from: IncidentState, to: IncidentState): boolean {
  return ALLOWED[from].includes(to);
}

/** Going back to reported from resolved or closed. */
export function isReopen(from: IncidentState, to: IncidentState): boolean {
  return to === 'reported' && (from === 'resolved' || from === 'closed');
}

/** How far along the lifecycle a state is (for "only forward" automatic moves). */
export const ORDER: Readonly<Record<IncidentState, number>> = { reported: 0, dispatched: 1, en_route: 2, on_scene: 3, resolved: 4, closed: 5 };
