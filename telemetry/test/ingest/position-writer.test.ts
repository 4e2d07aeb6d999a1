// The position writer against a real PostgreSQL: a row the database refuses is isolated
// from its batch (the others are stored), while an outage fails the batch as a whole.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position } from '@hub/config';
import { freePort } from '../../../test-support/ports';
import { createPool } from '@hub/platform';
import { createTelemetryMetrics } from '../../src/metrics';
import { PositionRefusedError, PositionWriter } from '../../src/ingest/position-writer';
import { insertPositions } from '../../src/store';
import { createMigratedDatabase, type MigratedDatabase } from '../../../test-support/migrated-db';

let m: MigratedDatabase;
beforeAll(async () => {
  m = await createMigratedDatabase();
});
afterAll(() => m?.close());

function writerOn(db: MigratedDatabase['db'], committed: Position[] = []) {
  return new PositionWriter({
    insert: (batch, receivedAt) => insertPositions(db, batch, receivedAt),
    onCommitted: (fresh) => committed.push(...fresh),
    maxBatch: 100,
    flushMs: 50,
    concurrency: 1,
    metrics: createTelemetryMetrics(),
    log: pino({ level: 'silent' }),
  });
}

describe('PositionWriter', () => {
  it('stores every position of a batch but the one PostgreSQL refuses, which alone is refused', async () => {
    const committed: Position[] = [];
    const writer = writerOn(m.db, committed);
    const t0 = Date.now() - 60_000;
    const positions: Position[] = Array.from({ length: 9 }, (_, i) => ({ unitId: `w-${i % 3}`, ts: new Date(t0 + i * 1000), lat: 22.5, lon: 114 }));
    // U+0000 in a text[] element: PostgreSQL refuses it (22P05); the wire schema would not let it through
    positions[4] = { ...positions[4]!, flags: ['ok', 'a\u0000b'] };
    const outcomes = await Promise.all(
      positions.map((p) =>
        writer.write(p).then(
          () => 'stored',
          (err: unknown) => err,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(8);
    expect(outcomes[4]).toBeInstanceOf(PositionRefusedError);
    expect((outcomes[4] as PositionRefusedError).sqlState).toBe('22P05');
    const { rows } = await m.db.query<{ ts: Date }>("SELECT ts FROM positions WHERE unit_id LIKE 'w-%' ORDER BY ts");
    expect(rows.map((r) => r.ts.getTime())).toEqual(positions.filter((_, i) => i !== 4).map((p) => p.ts.getTime()));
    expect(committed).toHaveLength(8);
    await writer.close();
  });

  it('fails a whole batch, refusing none of it, when the database cannot be reached', async () => {
    const down = createPool(`postgres://hub:x@127.0.0.1:${await freePort()}/hub`, 1);
    const writer = writerOn(down);
    const outcomes = await Promise.all(
      [0, 1].map((i) =>
        writer.write({ unitId: 'x', ts: new Date(Date.now() - i * 1000), lat: 1, lon: 1 }).then(
          () => 'stored',
          (err: unknown) => err,
        ),
      ),
    );
    for (const o of outcomes) {
      expect(o).toBeInstanceOf(Error);
      expect(o).not.toBeInstanceOf(PositionRefusedError);
    }
    await writer.close();
    await down.end();
  });
});
