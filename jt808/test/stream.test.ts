import { describe, expect, it } from 'vitest';
import { decodeFrame, escapeFrame, FrameStreamDecoder, Jt808Error, unescapeFrame, type FrameResult } from '@hub/jt808';
import { bytes, TRACCAR } from './data/captures';

const good1 = bytes(TRACCAR.heartbeat);
const good2 = bytes(TRACCAR.locationFuel);
const reasons = (results: FrameResult[]) => results.map((r) => (r.ok ? `0x${r.message.header.messageId.toString(16)}` : r.error.reason));

/** A frame's content between its 0x7E, changed by `edit`, framed again (no new check code). */
function broken(frame: Buffer, edit: (content: Buffer) => Buffer): Buffer {
  return Buffer.concat([Buffer.of(0x7e), edit(frame.subarray(1, -1)), Buffer.of(0x7e)]);
}

describe('frame stream decoder', () => {
  it.each([
    ['bad_checksum', broken(good1, (c) => Buffer.concat([c.subarray(0, -1), Buffer.of(c[c.length - 1]! ^ 0xff)]))],
    ['bad_escape', broken(good1, (c) => Buffer.concat([c.subarray(0, 4), Buffer.of(0x7d, 0x05), c.subarray(4)]))],
    ['bad_length', broken(good1, (c) => Buffer.concat([c.subarray(0, 3), Buffer.of(c[3]! + 1), c.subarray(4, -1), Buffer.of(c[c.length - 1]! ^ 1)]))],
  ])('a frame refused as %s between two good ones leaves both good ones decoded', (reason, bad) => {
    const results = new FrameStreamDecoder().push(Buffer.concat([good1, bad, good2]));
    expect(reasons(results)).toEqual(['0x2', reason, '0x200']);
    const refusal = results[1]!;
    expect(!refusal.ok && refusal.error).toBeInstanceOf(Jt808Error);
    expect(!refusal.ok && refusal.error.code).toBe(`HUB_ERR_JT808_${reason.toUpperCase()}`);
  });

  it('an unescaped 0x7E inside a frame splits it: both halves are refused, the next frame decodes', () => {
    const bad = broken(good2, (c) => Buffer.concat([c.subarray(0, 20), Buffer.of(0x7e), c.subarray(20)]));
    const results = new FrameStreamDecoder().push(Buffer.concat([good1, bad, good2]));
    expect(results[0]!.ok).toBe(true);
    expect(results.slice(1, -1).every((r) => !r.ok)).toBe(true);
    expect(reasons(results).at(-1)).toBe('0x200');
  });

  it('keeps a partial frame across chunks, one byte at a time', () => {
    const decoder = new FrameStreamDecoder();
    const stream = Buffer.concat([good1, good2, good1]);
    const results = [...stream].flatMap((b) => decoder.push(Buffer.of(b)));
    expect(reasons(results)).toEqual(['0x2', '0x200', '0x2']);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('refuses a frame over the maximum once, holds no more than the maximum, and decodes the frame after it', () => {
    const decoder = new FrameStreamDecoder({ maxFrameBytes: 100 });
    const results = [...decoder.push(Buffer.of(0x7e)), ...decoder.push(Buffer.alloc(80, 1))];
    expect(decoder.pendingBytes).toBe(80);
    results.push(...decoder.push(Buffer.alloc(80, 1)), ...decoder.push(Buffer.alloc(5000, 1)));
    expect(decoder.pendingBytes).toBe(0);
    results.push(...decoder.push(Buffer.concat([Buffer.of(0x7e), good2])));
    expect(reasons(results)).toEqual(['too_long', '0x200']);
  });

  it('drops bytes before the first 0x7E (a connection picked up mid-frame)', () => {
    const results = new FrameStreamDecoder().push(Buffer.concat([good2.subarray(30), good1]));
    expect(reasons(results)).toEqual(['0x2']);
  });

  it('refuses a real capture whose check code does not match (Traccar decodes without checking)', () => {
    expect(() => decodeFrame(bytes(TRACCAR.location))).toThrow(expect.objectContaining({ reason: 'bad_checksum' }));
  });
});

describe('escaping', () => {
  it("escapes 0x7E and 0x7D and reverses it (the 'identifier' clause's own example)", () => {
    const raw = Buffer.of(0x30, 0x7e, 0x08, 0x7d, 0x55);
    expect(escapeFrame(raw).toString('hex')).toBe('307d02087d0155');
    expect(unescapeFrame(escapeFrame(raw))).toEqual(raw);
  });

  it('refuses 0x7D last or followed by another byte', () => {
    expect(() => unescapeFrame(Buffer.of(0x01, 0x7d))).toThrow(expect.objectContaining({ reason: 'bad_escape' }));
    expect(() => unescapeFrame(Buffer.of(0x7d, 0x03))).toThrow(expect.objectContaining({ reason: 'bad_escape' }));
  });
});
