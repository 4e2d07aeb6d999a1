// Each unit's stream id (table unit_streams): 128 random bits, issued at the unit's first
// stream and kept, so walls and agents reconnect to the same id across hub restarts. A
// small cache answers the hot lookups (authorization, idle stop) without the database.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

export class StreamIds {
  private readonly byStream = new Map<string, string>();
  private readonly byUnit = new Map<string, string>();

  constructor(private readonly db: pg.Pool) {}

  private remember(streamId: string, unitId: string): void {
    this.byStream.set(streamId, unitId);
    this.byUnit.set(unitId, streamId);
  }

  /** The unit's stream id, issued now if it has none; undefined for a unit that does not exist. */
  async forUnit(unitId: string): Promise<string | undefined> {
    const cached = this.byUnit.get(unitId);
    if (cached) return cached;
    const fresh = randomBytes(16).toString('base64url');
    // one statement: two hubs issuing at the same moment agree on the first id
    const { rows } = await this.db.query<{ stream_id: string }>(
      `WITH ins AS (
         INSERT INTO unit_streams (stream_id, unit_id)
         SELECT $1, id FROM units WHERE id = $2
         ON CONFLICT (unit_id) DO NOTHING
         RETURNING stream_id)
       SELECT stream_id FROM ins
       UNION ALL SELECT stream_id FROM unit_streams WHERE unit_id = $2
       LIMIT 1`,
      [fresh, unitId],
    );
    const streamId = rows[0]?.stream_id;
    if (streamId) this.remember(streamId, unitId);
    return streamId;
  }

  /** The unit a stream id belongs to, or undefined (an operator's own stream, or unknown). */
  async unitOf(streamId: string): Promise<string | undefined> {
    const cached = this.byStream.get(streamId);
    if (cached) return cached;
    const { rows } = await this.db.query<{ unit_id: string }>('SELECT unit_id FROM unit_streams WHERE stream_id = $1', [streamId]);
    const unitId = rows[0]?.unit_id;
    if (unitId) this.remember(streamId, unitId);
    return unitId;
  }

  /** From the cache only: for the stats list and the idle timer, which see only streams already looked up. */
  cachedUnitOf(streamId: string): string | undefined {
    return this.byStream.get(streamId);
  }
}
