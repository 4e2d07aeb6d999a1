// The seam every GPS source implements (NMEA, gpsd, simulated route); one contract test runs against each.
import type { PositionMessage } from '@hub/config';

/** One fix: a position message without the unit id, its timestamp in epoch ms. */
export type GpsFix = Omit<PositionMessage, 'unitId' | 'ts'> & { ts: number };

/** Counters every source keeps. */
export interface GpsSourceStats {
  /** fixes yielded */
  fixes: number;
  /** input refused (bad checksum, malformed sentence or object) */
  bad: number;
  /** (re)connections or (re)opens of the underlying device or socket */
  opens: number;
}

/**
 * A stream of fixes. Iterate it once with `for await`; the iteration ends when the source
 * ends (file replayed, route finished) or is closed. `close()` is safe to call twice.
 */
export interface GpsSource extends AsyncIterable<GpsFix> {
  /** what it reads, for logs: "nmea:/dev/ttyUSB0", "gpsd:127.0.0.1:2947", "sim" */
  readonly name: string;
  readonly stats: GpsSourceStats;
  close(): Promise<void>;
}

/** Horizontal accuracy (m) from HDOP: HDOP × a user-equivalent range error of about 5 m (civil GPS). */
export function accuracyFromHdop(hdop: number): number {
  return Math.round(hdop * 5 * 10) / 10;
}
