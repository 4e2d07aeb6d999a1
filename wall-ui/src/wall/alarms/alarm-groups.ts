// Alarms as a person works through them: the same unit's same kind is one row (a car that
// speeds all afternoon is one problem, not forty), most urgent first, open before handled.
import { ALARM_PRIORITY, type Alarm, type AlarmKind } from '@hub/config';

export interface AlarmGroup {
  /** unit id and kind */
  key: string;
  unitId: string;
  kind: AlarmKind;
  /** newest first */
  alarms: Alarm[];
  /** the alarms not acknowledged yet, newest first */
  open: Alarm[];
  /** how many times the unit raised it: each alarm and the repeats flood control counted on it */
  occurrences: number;
  /** the newest occurrence (an alarm's time or its newest repeat's), ISO 8601 */
  latestTs: string;
}

const latestOf = (a: Alarm): string => (a.lastRepeatAt && a.lastRepeatAt > a.ts ? a.lastRepeatAt : a.ts);

/**
 * Groups alarms by unit and kind. Groups with open alarms come first, most urgent kind first
 * (ALARM_PRIORITY), then the newest; groups all acknowledged follow, newest first.
 */
export function groupAlarms(alarms: readonly Alarm[]): AlarmGroup[] {
  const groups = new Map<string, AlarmGroup>();
  for (const a of alarms) {
    const key = `${a.unitId}\u0000${a.kind}`;
    let g = groups.get(key);
    if (!g) {
      g = { key, unitId: a.unitId, kind: a.kind, alarms: [], open: [], occurrences: 0, latestTs: '' };
      groups.set(key, g);
    }
    g.alarms.push(a);
    if (a.acknowledgedAt === null) g.open.push(a);
    g.occurrences += 1 + a.repeats;
    if (latestOf(a) > g.latestTs) g.latestTs = latestOf(a);
  }
  const newestFirst = (x: Alarm, y: Alarm) => y.ts.localeCompare(x.ts) || y.id - x.id;
  for (const g of groups.values()) {
    g.alarms.sort(newestFirst);
    g.open.sort(newestFirst);
  }
  return [...groups.values()].sort((x, y) => {
    const xOpen = x.open.length > 0;
    const yOpen = y.open.length > 0;
    if (xOpen !== yOpen) return xOpen ? -1 : 1;
    if (xOpen) {
      const byPriority = ALARM_PRIORITY[x.kind] - ALARM_PRIORITY[y.kind];
      if (byPriority) return byPriority;
    }
    return y.latestTs.localeCompare(x.latestTs) || x.key.localeCompare(y.key);
  });
}

/** The open alarm a wall in wall mode shows: the most urgent, then the newest. */
export function mostUrgentOpen(alarms: readonly Alarm[]): Alarm | undefined {
  let best: Alarm | undefined;
  for (const a of alarms) {
    if (a.acknowledgedAt !== null) continue;
    if (!best || ALARM_PRIORITY[a.kind] < ALARM_PRIORITY[best.kind] || (ALARM_PRIORITY[a.kind] === ALARM_PRIORITY[best.kind] && latestOf(a) > latestOf(best))) best = a;
  }
  return best;
}
