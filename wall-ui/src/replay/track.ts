// A unit's position at a moment of the replay: linear between the two track points around it,
// the first or last point outside the track.
export interface TrackPoint {
  t: number;
  lat: number;
  lon: number;
}

export function positionAt(points: readonly TrackPoint[], t: number): TrackPoint | null {
  if (points.length === 0) return null;
  if (t <= points[0]!.t) return points[0]!;
  const last = points[points.length - 1]!;
  if (t >= last.t) return last;
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
  return { t, lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}
