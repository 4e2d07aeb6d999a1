import { describe, expect, it } from 'vitest';
import { decodeBody, decodeFrame, encodeFrame, MessageId, SubpackageReassembler, type Jt808Message } from '@hub/jt808';
import { bytes, TRACCAR } from './data/captures';

/** The batch capture cut into `n` sub-packages, as a terminal sends a body too long for one frame. */
function parts(n: number): Jt808Message[] {
  const whole = decodeFrame(bytes(TRACCAR.batch));
  const size = Math.ceil(whole.body.length / n);
  return Array.from({ length: n }, (_, i) => {
    const framed = encodeFrame({ header: { ...whole.header, serial: 100 + i, packet: { total: n, index: i + 1 } }, body: whole.body.subarray(i * size, (i + 1) * size) });
    return decodeFrame(framed);
  });
}

describe('sub-package reassembly', () => {
  it('puts parts arriving out of order back together', () => {
    const r = new SubpackageReassembler();
    const [p1, p2, p3] = parts(3);
    expect(r.add(p3!, 0)).toBeUndefined();
    expect(r.add(p1!, 0)).toBeUndefined();
    const whole = r.add(p2!, 0)!;
    expect(whole.header.packet).toBeUndefined();
    expect(whole.header.serial).toBe(100);
    expect(whole.body).toEqual(decodeFrame(bytes(TRACCAR.batch)).body);
    const d = decodeBody(whole);
    expect(d.messageId === MessageId.LocationBatch && d.body.locations).toHaveLength(8);
    expect(r.pending).toBe(0);
  });

  it('reports the missing part after the timeout, with the serial 0x8003 names', () => {
    const r = new SubpackageReassembler({ timeoutMs: 1000 });
    const [p1, , p3] = parts(3);
    r.add(p1!, 0);
    r.add(p3!, 500);
    expect(r.expire(1400)).toEqual([]);
    expect(r.expire(1500)).toEqual([{ phone: '013567777777', messageId: 0x0704, firstSerial: 100, total: 3, missing: [2] }]);
    expect(r.pending).toBe(0);
  });

  it('refuses a new message past the bound, and a part whose total disagrees', () => {
    const r = new SubpackageReassembler({ maxPending: 1 });
    const [p1] = parts(3);
    r.add(p1!, 0);
    const other = { ...p1!, header: { ...p1!.header, phone: '013500000000' } };
    expect(() => r.add(other, 0)).toThrow(expect.objectContaining({ reason: 'reassembly_full' }));
    const [q1] = parts(2);
    expect(() => r.add(q1!, 0)).toThrow(expect.objectContaining({ reason: 'bad_subpackage' }));
  });

  it('refuses an index outside 1..total in the header', () => {
    const [p1] = parts(2);
    const framed = encodeFrame({ header: { ...p1!.header, packet: { total: 2, index: 3 } }, body: p1!.body });
    expect(() => decodeFrame(framed)).toThrow(expect.objectContaining({ reason: 'bad_subpackage' }));
  });

  it('passes a message that is not sub-packaged straight through', () => {
    const m = decodeFrame(bytes(TRACCAR.heartbeat));
    expect(new SubpackageReassembler().add(m)).toBe(m);
  });
});
