// Writes fixes as NMEA 0183 RMC + GGA sentences: lets a test feed a serial device, a FIFO or gpsd.
import { nmeaChecksum, type GpsFix } from '@hub/edge-agent';

const sentence = (body: string) => `$${body}*${nmeaChecksum(body)}\r\n`;

function coord(value: number, degDigits: 2 | 3, pos: string, neg: string): string {
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const min = (abs - deg) * 60;
  return `${String(deg).padStart(degDigits, '0')}${min.toFixed(5).padStart(8, '0')},${value >= 0 ? pos : neg}`;
}

/** GGA then RMC for one fix (GGA first, as many receivers send it). */
export function fixToNmea(fix: GpsFix): string {
  const d = new Date(fix.ts);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const time = `${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}.${String(Math.floor(d.getUTCMilliseconds() / 10)).padStart(2, '0')}`;
  const date = `${p2(d.getUTCDate())}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCFullYear() % 100)}`;
  const lat = coord(fix.lat, 2, 'N', 'S');
  const lon = coord(fix.lon, 3, 'E', 'W');
  const knots = fix.speed !== undefined ? (fix.speed / (1852 / 3600)).toFixed(2) : '';
  const course = fix.heading !== undefined ? fix.heading.toFixed(1) : '';
  const hdop = fix.accuracy !== undefined ? (fix.accuracy / 5).toFixed(2) : '1.00';
  return sentence(`GPGGA,${time},${lat},${lon},1,09,${hdop},${(fix.alt ?? 12.5).toFixed(1)},M,-2.6,M,,`) + sentence(`GPRMC,${time},A,${lat},${lon},${knots},${course},${date},,,A`);
}
