// What a unit's answers do to its dispatch, each in one transaction with its trail entries:
// the device's receipt (cmd/ack) → delivered, or refused when the device cannot take the order;
// the person's answer (cmd/answer) → accepted (and en route, the incident with it) or refused;
// no answer in time → timed out. An answer may still come after the time-out: a person who
// sets off late is more use than one the wall has given up on.
import { OPEN_INCIDENT_STATES, type CommandAckMessage, type DispatchAnswerMessage, type DispatchState } from '@hub/config';
import type { Queryable } from '@hub/platform';
import { appendEvent, dispatchByCommand, lockIncident, setDispatchState, setIncidentState, withTransaction, type DispatchRow } from './store';

export interface DispatchStep {
  state: DispatchState;
  ts: string;
  /** a refusal's reason */
  reason?: string;
}

export interface DispatchOutcome {
  dispatch: DispatchRow;
  steps: DispatchStep[];
  /** where the incident is, for watching arrival and offering the next unit */
  lat: number;
  lon: number;
}

/** Runs `fn` on the dispatch under its incident's lock, if it is in one of `from` and the incident is open. */
async function onDispatch(
  db: Queryable,
  commandId: string,
  from: readonly DispatchState[],
  fn: (tx: Queryable, d: DispatchRow, incidentState: string) => Promise<DispatchStep[]>,
): Promise<DispatchOutcome | undefined> {
  const before = await dispatchByCommand(db, commandId);
  if (!before) return undefined;
  return withTransaction(db, async (tx) => {
    const row = await lockIncident(tx, before.incidentId);
    const d = await dispatchByCommand(tx, commandId); // again, under the lock: an answer and a time-out may race
    if (!row || !d || !from.includes(d.state) || !OPEN_INCIDENT_STATES.includes(row.state)) return undefined;
    return { dispatch: d, steps: await fn(tx, d, row.state), lat: row.lat, lon: row.lon };
  });
}

/** The device confirmed receipt (ok), or could not take the order (ok: false, e.g. unsupported_command). */
export function recordDelivery(db: Queryable, unitId: string, ack: CommandAckMessage): Promise<DispatchOutcome | undefined> {
  return onDispatch(db, ack.id, ['sent'], async (tx, d) => {
    if (d.unitId !== unitId) return [];
    const actor = `unit:${unitId}`;
    if (ack.ok) {
      const ts = await setDispatchState(tx, ack.id, 'delivered');
      await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'unit_delivered', ts, detail: { unitId, commandId: ack.id } });
      return [{ state: 'delivered', ts }];
    }
    const reason = ack.message ?? ack.code ?? 'the device could not take the order';
    const ts = await setDispatchState(tx, ack.id, 'refused', reason);
    await appendEvent(tx, { incidentId: d.incidentId, actor, kind: 'unit_undeliverable', ts, detail: { unitId, commandId: ack.id, code: ack.code ?? null, message: reason } });
    return [{ state: 'refused', ts, reason }];
  }).then((o) => (o?.steps.length ? o : undefined));
}

/** The person accepted (→ accepted and en route at that moment) or refused with a reason. */
export function recordAnswer(db: Queryable, unitId: string, answer: DispatchAnswerMessage): Promise<DispatchOutcome | undefined> {
  return onDispatch(db, answer.id, ['sent', 'delivered', 'timed_out'], async (tx, d, incidentState) => {
    if (d.unitId !== unitId) return [];
    const actor = `unit:${unitId}`;
    const base = { incidentId: d.incidentId, actor };
    if (!answer.accepted) {
      const reason = answer.reason ?? '';
      const ts = await setDispatchState(tx, answer.id, 'refused', reason || null);
      await appendEvent(tx, { ...base, kind: 'unit_refused', ts, detail: { unitId, commandId: answer.id, reason: reason || null } });
      return [{ state: 'refused', ts, reason }];
    }
    const ts = await setDispatchState(tx, answer.id, 'accepted');
    await appendEvent(tx, { ...base, kind: 'unit_accepted', ts, detail: { unitId, commandId: answer.id, ...(d.state === 'timed_out' ? { late: true } : {}) } });
    // accepting is setting off: one moment for both
    await setDispatchState(tx, answer.id, 'en_route', null, ts);
    await appendEvent(tx, { ...base, kind: 'unit_en_route', ts, detail: { unitId, commandId: answer.id } });
    if (incidentState === 'dispatched') {
      await setIncidentState(tx, d.incidentId, 'en_route');
      await appendEvent(tx, { ...base, kind: 'transition', fromState: 'dispatched', toState: 'en_route', ts, detail: { unitId } });
    }
    return [
      { state: 'accepted', ts },
      { state: 'en_route', ts },
    ];
  }).then((o) => (o?.steps.length ? o : undefined));
}

/** Nobody answered in time. */
export function recordTimeout(db: Queryable, commandId: string, afterSeconds: number): Promise<DispatchOutcome | undefined> {
  return onDispatch(db, commandId, ['sent', 'delivered'], async (tx, d) => {
    const ts = await setDispatchState(tx, commandId, 'timed_out');
    await appendEvent(tx, { incidentId: d.incidentId, actor: 'hub', kind: 'unit_timed_out', ts, detail: { unitId: d.unitId, commandId, afterSeconds, delivered: d.state === 'delivered' } });
    return [{ state: 'timed_out', ts }];
  });
}
