// The broker's limits as units: packet boundaries followed across any split of the bytes
// (MQTT-2.2.3 remaining length), and the failed-login windows.
import { describe, expect, it } from 'vitest';
import { PacketBoundaryScanner } from '../../src/broker/packet-guard';
import { LoginThrottle } from '@hub/platform';

/** A packet of `type` with a body of `bodyBytes`, fixed header included. */
function packet(type: number, bodyBytes: number): Buffer {
  const len: number[] = [];
  let n = bodyBytes;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...len]), Buffer.alloc(bodyBytes, 0x61)]);
}

function scanInPieces(limit: number, stream: Buffer, piece: number) {
  const scanner = new PacketBoundaryScanner(limit);
  for (let i = 0; i < stream.length; i += piece) {
    const verdict = scanner.scan(stream.subarray(i, i + piece));
    if (!verdict.ok) return { ...verdict, at: i };
  }
  return { ok: true as const };
}

describe('packet boundary scanner', () => {
  it('passes packets up to the limit however the bytes are split, and stops at the first larger header', () => {
    // 0x30 PUBLISH of 200 bytes, a PINGREQ (0 bytes), one exactly at the limit (1 + 2 + 1021 = 1024)
    const fine = Buffer.concat([packet(0x30, 200), packet(0xc0, 0), packet(0x30, 1021)]);
    for (const piece of [1, 2, 3, 7, 64, fine.length]) expect(scanInPieces(1024, fine, piece)).toEqual({ ok: true });
    const big = Buffer.concat([fine, packet(0x30, 1022)]);
    for (const piece of [1, 5, big.length]) {
      const verdict = scanInPieces(1024, big, piece);
      expect(verdict).toMatchObject({ ok: false, reason: 'too_large', declaredBytes: 1025 });
      // decided on the header: before any of that packet's body was looked at
      expect((verdict as { at: number }).at).toBeLessThanOrEqual(fine.length + 2);
    }
  });

  it('refuses a 250 MB declaration from its header bytes alone, and a length of more than 4 bytes', () => {
    const header = packet(0x10, 0).subarray(0, 1);
    const scanner = new PacketBoundaryScanner(8192);
    expect(scanner.scan(Buffer.concat([header, Buffer.from([0x80, 0x80, 0xe8, 0x77])]))).toMatchObject({ ok: false, reason: 'too_large' });
    expect(new PacketBoundaryScanner(Number.MAX_SAFE_INTEGER).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatchObject({
      ok: false,
      reason: 'malformed_length',
    });
  });
});

describe('login throttle', () => {
  it('locks a unit id after its failures, the whole address after failures across ids, and lifts with the window', () => {
    let now = 0;
    const throttle = new LoginThrottle({ perUnit: 3, perAddress: 5, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) throttle.failed('10.0.0.1', 'car-1');
    expect(throttle.check('10.0.0.1', 'car-1')).toMatchObject({ allowed: false, scope: 'unit', retryAfterMs: 60_000 });
    expect(throttle.check('10.0.0.1', 'car-2')).toEqual({ allowed: true }); // the NAT's other units
    expect(throttle.check('10.0.0.2', 'car-1')).toEqual({ allowed: true });
    now = 30_000;
    throttle.failed('10.0.0.1', 'car-2');
    throttle.failed('10.0.0.1', 'car-3');
    expect(throttle.check('10.0.0.1', 'car-4')).toMatchObject({ allowed: false, scope: 'address', retryAfterMs: 30_000 });
    now = 60_001; // the first three left the window
    expect(throttle.check('10.0.0.1', 'car-1')).toEqual({ allowed: true });
    expect(throttle.check('10.0.0.1', 'car-4')).toEqual({ allowed: true });
    now = 200_000;
    throttle.sweep();
    expect(throttle.size).toBe(0);
  });
});
