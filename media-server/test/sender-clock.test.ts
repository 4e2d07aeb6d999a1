// The SFU's NTP timestamps for sender reports (RFC 3550 §4): 32 bits of seconds since 1900 and
// 32 bits of fraction. werift 0.24.4's ntpTime() puts the decimal digits of the seconds into the
// fraction (x.5 s → 5), which is why the consumers report their own (engine/werift/sender-clock.ts).
import { describe, expect, it } from 'vitest';
import { ntpFromMs, ntpSpan } from '../src/engine/werift/sender-clock';

describe('sender report clock', () => {
  it('writes half a second as half of 2^32 in the fraction, and the seconds from 1900', () => {
    const ms = Date.UTC(2026, 10, 28, 8, 0, 0, 500);
    const ntp = ntpFromMs(ms);
    expect(Number(ntp & 0xffffffffn)).toBe(2 ** 31);
    expect(Number(ntp >> 32n)).toBe(Math.floor(ms / 1000) + 2_208_988_800);
  });

  it('moves forward with time, never back, across a second boundary', () => {
    const base = Date.UTC(2026, 10, 28, 8, 0, 0, 0);
    const stamps = [990, 995, 1000, 1005, 1250, 1999, 2000].map((d) => ntpFromMs(base + d));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
    expect(ntpFromMs(base + 1250) - ntpFromMs(base + 1000)).toBe(ntpSpan(250));
  });
});
