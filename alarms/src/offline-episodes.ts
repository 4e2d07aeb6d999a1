// The newest stored offline alarm of each unit, so that the rules know at start which offline
// episodes were already alarmed before a restart. (The store has no query for this; it reads
// the store's `alarms` table directly.)
import type { Queryable } from '@hub/platform';

export async function newestOfflineAlarms(db: Queryable): Promise<Array<{ unitId: string; ts: Date }>> {
  const { rows } = await db.query<{ unit_id: string; ts: Date | string }>(`SELECT unit_id, max(ts) AS ts FROM alarms WHERE kind = 'offline' GROUP BY unit_id`);
  return rows.map((r) => ({ unitId: r.unit_id, ts: new Date(r.ts) }));
}

/** One unit's newest stored offline alarm, epoch ms. */
export async function newestOfflineAlarm(db: Queryable, unitId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ ts: Date | string | null }>(`SELECT max(ts) AS ts FROM alarms WHERE kind = 'offline' AND unit_id = $1`, [unitId]);
  return rows[0]?.ts ? new Date(rows[0].ts).getTime() : undefined;
}
