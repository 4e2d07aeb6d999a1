// A recording's HLS playlist (RFC 8216), built from its indexed segments: every segment
// carries EXT-X-PROGRAM-DATE-TIME, so a replay can put the video on the GPS track's time axis.
import type { SegmentRow } from './store';

export function buildPlaylist(segments: readonly SegmentRow[], ended: boolean): string {
  const target = Math.max(1, ...segments.map((s) => Math.ceil(s.durationMs / 1000)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`, // §4.3.3.1: EXTINF rounded to the nearest integer must not exceed it
    '#EXT-X-MEDIA-SEQUENCE:0',
    // VOD once ended; EVENT while the recording grows (§4.3.3.5)
    `#EXT-X-PLAYLIST-TYPE:${ended ? 'VOD' : 'EVENT'}`,
  ];
  let part: number | undefined;
  for (const s of segments) {
    // a new part is a new ffmpeg run (the publisher came back): new timestamps (§4.3.2.3)
    if (part !== undefined && s.part !== part) lines.push('#EXT-X-DISCONTINUITY');
    part = s.part;
    // a part stopped just after a cut leaves a segment of one frame, which ffmpeg times 0 s:
    // kept (it is evidence), and given the least duration a player accepts (§4.3.2.1)
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${s.startedAt.toISOString()}`, `#EXTINF:${(Math.max(s.durationMs, 1) / 1000).toFixed(3)},`, `segments/${s.seq}.ts`);
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
