// A unit's position at a moment of a replay: linear between the two track points around it
// (`from`, `to`); the first or last point outside the track. Used by the wall's replay layer
// and the incident replay page.
export interface TrackPoint {
  /** epoch ms */
  t: number;
  lat: number;
  lon: number;
}

export interface TrackPosition<P extends TrackPoint> extends TrackPoint {
  from: P;
  to: P;
}

/** `points` sorted by time. */
export function positionAt<P extends TrackPoint>(points: readonly P[], t: number): TrackPosition<P> | null {
  if (points.length === 0) return null;
  const first = points[0]!;
  if (t <= first.t) return { t: first.t, lat: first.lat, lon: first.lon, from: first, to: first };
  const last = points[points.length - 1]!;
  if (t >= last.t) return { t: last.t, lat: last.lat, lon: last.lon, from: last, to: last };
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t <= t) lo = mid;
    else hi = mid;
  }
  const a = points[lo]!;
  const b = points[hi]!;
  const f = b.t === a.t ? 0 : (t - a.t) / (b.t - a.t);
  return { t, lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f, from: a, to: b };
}
