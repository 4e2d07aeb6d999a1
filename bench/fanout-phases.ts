// The phases of a viewer's time to first frame, for bench/fanout*.ts.
/**
 * Where a viewer's time to first frame goes, ms from the start of its signalling (the WHEP
 * POST, or Janus's `create`): the answer, ICE connected, DTLS connected, first RTP packet,
 * end of the first complete keyframe (= TTFF).
 */
export interface Phases {
  answer: number;
  ice: number;
  dtls: number;
  rtp: number;
  key: number;
}
export const PHASES = ['answer', 'ice', 'dtls', 'rtp', 'key'] as const;
