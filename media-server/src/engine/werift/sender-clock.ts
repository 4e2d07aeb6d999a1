// Sender reports for lip sync (RFC 3550 §6.4.1). werift 0.24.4's own are unusable for it: its
// ntpTime() takes the fraction from the decimal digits of the seconds (x.5 s becomes fraction 5,
// x.25 s fraction 25), so successive reports jump back and forth by up to a second; and they map
// the time a packet was forwarded, not captured, to its RTP time. A browser aligns audio and video
// by these reports, so the SFU puts in its own: the publisher's report translated into the
// viewer's RTP time where one came, else the wall clock when the newest packet was forwarded.
import type { RTCRtpSender } from 'werift';

/** 1900-01-01 to 1970-01-01 in seconds (RFC 868) */
const NTP_EPOCH_OFFSET = 2_208_988_800;

/** A 64-bit NTP timestamp for epoch milliseconds. */
export function ntpFromMs(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_EPOCH_OFFSET) << 32n) | BigInt(fraction);
}

/** NTP duration units for `ms` milliseconds */
export const ntpSpan = (ms: number): bigint => BigInt(Math.round(ms * 4_294_967.296));

export interface SenderClockReading {
  ntp: bigint;
  rtpTimestamp: number;
}

/**
 * Makes the sender's reports carry `clock()` (read once per report: both fields from one
 * reading); werift's own values stand where the clock has none yet.
 */
export function installSenderClock(sender: RTCRtpSender, clock: () => SenderClockReading | undefined): void {
  // werift sets these on every packet it sends: plain variables, no allocation
  let ownNtp = 0n;
  let ownRtp = 0;
  let reading: { at: number; value: SenderClockReading } | undefined;
  const read = (): SenderClockReading => {
    const now = performance.now();
    if (!reading || now - reading.at > 5) reading = { at: now, value: clock() ?? { ntp: ownNtp, rtpTimestamp: ownRtp } };
    return reading.value;
  };
  Object.defineProperty(sender, 'ntpTimestamp', {
    get: () => read().ntp,
    set: (v: bigint) => {
      ownNtp = v;
    },
    configurable: true,
  });
  Object.defineProperty(sender, 'rtpTimestamp', {
    get: () => read().rtpTimestamp,
    set: (v: number) => {
      ownRtp = v;
    },
    configurable: true,
  });
}
