// Each camera's stream id (table unit_streams): 128 random bits, issued at the camera's first
// stream and kept, so walls and agents reconnect to the same id across hub restarts. A unit
// has a stream per camera channel: an MQTT unit has channel 1 only, a JT/T 808 terminal one
// per logical channel (JT/T 1078). A small cache answers the hot lookups (authorization, idle
// stop) without the database.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/** A stream's camera: its unit and channel. */
export interface StreamCamera {
  unitId: string;
  channel: number;
}

export class StreamIds {
  private readonly byStream = new Map<string, StreamCamera>();
  /** by `${unitId}/${channel}` */
  private readonly byCamera = new Map<string, string>();

  constructor(private readonly db: pg.Pool) {}

  private remember(streamId: string, camera: StreamCamera): void {
    this.byStream.set(streamId, camera);
    this.byCamera.set(`${camera.unitId}/${camera.channel}`, streamId);
  }

  /** The stream id of the unit's camera channel (default 1), issued now if it has none; undefined for a unit that does not exist. */
  async forUnit(unitId: string, channel = 1): Promise<string | undefined> {
    const cached = this.byCamera.get(`${unitId}/${channel}`);
    if (cached) return cached;
    const fresh = randomBytes(16).toString('base64url');
    // one statement: two hubs issuing at the same moment agree on the first id
    const { rows } = await this.db.query<{ stream_id: string }>(
      `WITH ins AS (
         INSERT INTO unit_streams (stream_id, unit_id, channel)
         SELECT $1, id, $3 FROM units WHERE id = $2
         ON CONFLICT (unit_id, channel) DO NOTHING
         RETURNING stream_id)
       SELECT stream_id FROM ins
       UNION ALL SELECT stream_id FROM unit_streams WHERE unit_id = $2 AND channel = $3
       LIMIT 1`,
      [fresh, unitId, channel],
    );
    const streamId = rows[0]?.stream_id;
    if (streamId) this.remember(streamId, { unitId, channel });
    return streamId;
  }

  /** The unit a stream id belongs to, or undefined (an operator's own stream, or unknown). */
  async unitOf(streamId: string): Promise<string | undefined> {
    return (await this.cameraOf(streamId))?.unitId;
  }

  /** The unit and channel of a stream id, or undefined. */
  async cameraOf(streamId: string): Promise<StreamCamera | undefined> {
    const cached = this.byStream.get(streamId);
    if (cached) return cached;
    const { rows } = await this.db.query<{ unit_id: string; channel: number }>('SELECT unit_id, channel FROM unit_streams WHERE stream_id = $1', [streamId]);
    const row = rows[0];
    if (!row) return undefined;
    const camera = { unitId: row.unit_id, channel: row.channel };
    this.remember(streamId, camera);
    return camera;
  }

  /** From the cache only: for the stats list and the idle timer, which see only streams already looked up. */
  cachedCameraOf(streamId: string): StreamCamera | undefined {
    return this.byStream.get(streamId);
  }

  cachedUnitOf(streamId: string): string | undefined {
    return this.byStream.get(streamId)?.unitId;
  }
}
