import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/queue/journal';
import { MemoryQueue } from '../../src/queue/memory-queue';
import type { OutboxQueue } from '../../src/queue/queue';
import { waitFor } from '../../../test-support/wait';

let dir: string;
const open: OutboxQueue<unknown>[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'journal-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((q) => q.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function journal(opts: { maxRecords?: number; segmentRecords?: number; onProgressError?: (err: Error) => void } = {}) {
  const j = await Journal.open<{ n: number }>({ dir, ackFlushMs: 5, ...opts });
  open.push(j as OutboxQueue<unknown>);
  return j;
}

const segments = () =>
  readdirSync(dir)
    .filter((f) => f.startsWith('seg-'))
    .sort();

// The same behaviour is asked of the disk journal and of the in-memory queue.
describe.each([
  ['Journal', () => journal({ maxRecords: 5, segmentRecords: 3 })],
  ['MemoryQueue', async () => new MemoryQueue<{ n: number }>(5)],
])('%s', (_name, make) => {
  it('reads pending entries in order, skips acked ones, and drops the oldest beyond the bound', async () => {
    const q = await make();
    for (let n = 0; n < 4; n++) await q.append({ n });
    q.ack(1); // out of order
    expect((await q.read(0, 10)).map((e) => e.record.n)).toEqual([0, 2, 3]);
    q.ack(0);
    expect((await q.read(0, 2)).map((e) => e.seq)).toEqual([2, 3]);
    for (let n = 4; n < 10; n++) await q.append({ n });
    // 8 pending (2..9) > 5: 2, 3, 4 dropped
    expect(q.stats).toEqual({ queued: 5, dropped: 3, appended: 10 });
    expect((await q.read(0, 100)).map((e) => e.record.n)).toEqual([5, 6, 7, 8, 9]);
    expect(q.isPending(4)).toBe(false);
    q.ack(4); // a late PUBACK of a dropped entry changes nothing
    expect(q.stats.queued).toBe(5);
  });
});

describe('Journal on disk', () => {
  it('keeps unacknowledged records across a reopen, and the drop counter', async () => {
    const a = await journal({ maxRecords: 4, segmentRecords: 2 });
    for (let n = 0; n < 7; n++) await a.append({ n });
    a.ack(3);
    a.ack(4);
    await a.close();
    open.length = 0;
    const b = await journal({ maxRecords: 4, segmentRecords: 2 });
    // 0-2 were dropped by the bound, 3-4 acked: 5 and 6 are sent again
    expect((await b.read(0, 100)).map((e) => e.record.n)).toEqual([5, 6]);
    expect(b.stats).toMatchObject({ queued: 2, dropped: 3 });
    expect(await b.append({ n: 7 })).toBe(7); // seq continues
  });

  it('deletes segments once everything in them is acknowledged', async () => {
    const j = await journal({ segmentRecords: 3 });
    for (let n = 0; n < 10; n++) await j.append({ n });
    expect(segments()).toHaveLength(4);
    for (let s = 0; s < 7; s++) j.ack(s);
    await j.close();
    expect(segments()).toEqual(['seg-0000000000000006.jsonl', 'seg-0000000000000009.jsonl']);
    expect(JSON.parse(readFileSync(path.join(dir, 'acked.json'), 'utf8'))).toEqual({ low: 7, dropped: 0 });
  });

  it('survives a disk that refuses its progress file: counts it, says so, and saves it once it can', async () => {
    const errors: Error[] = [];
    const j = await journal({ onProgressError: (err) => errors.push(err) });
    for (let n = 0; n < 3; n++) await j.append({ n });
    // acked.json.tmp cannot be created (as on a full or read-only disk)
    mkdirSync(path.join(dir, 'acked.json.tmp'));
    for (let s = 0; s < 3; s++) j.ack(s);
    await waitFor(() => j.progressErrors > 0, 10_000, 'the failed progress write');
    expect(errors[0]!.message).toMatch(/cannot save the queue's progress/);
    // records still append while progress cannot be saved
    expect(await j.append({ n: 3 })).toBe(3);
    rmSync(path.join(dir, 'acked.json.tmp'), { recursive: true });
    await j.close();
    expect(JSON.parse(readFileSync(path.join(dir, 'acked.json'), 'utf8'))).toEqual({ low: 3, dropped: 0 });
  });

  it('reads back across segments after a restart without holding them all in memory', async () => {
    const a = await journal({ segmentRecords: 4 });
    for (let n = 0; n < 30; n++) await a.append({ n });
    await a.close();
    open.length = 0;
    const b = await journal({ segmentRecords: 4 });
    const got: number[] = [];
    let cursor = 0;
    for (;;) {
      const batch = await b.read(cursor, 7);
      if (batch.length === 0) break;
      got.push(...batch.map((e) => e.record.n));
      cursor = batch[batch.length - 1]!.seq + 1;
    }
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('cuts off a torn last line (power cut mid-write)', async () => {
    const a = await journal();
    await a.append({ n: 0 });
    await a.append({ n: 1 });
    await a.close();
    open.length = 0;
    appendFileSync(path.join(dir, segments()[0]!), '{"seq":2,"r":{"n"');
    const b = await journal();
    expect((await b.read(0, 10)).map((e) => e.record.n)).toEqual([0, 1]);
    expect(await b.append({ n: 2 })).toBe(2);
    await b.close();
    expect(readFileSync(path.join(dir, segments()[0]!), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('refuses a folder another live agent holds, and releases it on close', async () => {
    const a = await journal();
    await expect(Journal.open({ dir })).rejects.toMatchObject({ code: 'HUB_ERR_AGENT_QUEUE' });
    await a.close();
    expect(existsSync(path.join(dir, 'lock'))).toBe(false);
    const b = await journal();
    await b.close();
  });
});
