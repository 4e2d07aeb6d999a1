// Which way an SDP offer's media flows. A WHIP offer must send its video and a WHEP offer
// receive it (RFC 9725 §4.2: the publisher's offer is sendonly): a recvonly "publisher"
// used to get 201 and a producer with nothing to send, holding the stream id against the
// real unit. Checked before anything is set up, for WHIP/WHEP and the socket.io signalling.
import { InvalidOfferError } from './errors';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaSection {
  kind: string;
  direction: Direction;
  /** false for a section the offerer disabled (port 0 without bundle-only: RFC 3264 §6, RFC 8843 §6) */
  active: boolean;
}

const DIRECTIONS = new Set<string>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** The offer's media sections with their direction: the section's attribute, else the session's, else sendrecv (RFC 8866 §6.7). */
export function mediaSections(sdp: string): MediaSection[] {
  let sessionDirection: Direction = 'sendrecv';
  const sections: (MediaSection & { own?: Direction })[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\S+) (\d+)/.exec(line);
    if (m) {
      sections.push({ kind: m[1]!, direction: sessionDirection, active: m[2] !== '0' });
      continue;
    }
    const current = sections.at(-1);
    if (line === 'a=bundle-only' && current) current.active = true;
    const attr = /^a=(\w+)\s*$/.exec(line)?.[1];
    if (!attr || !DIRECTIONS.has(attr)) continue;
    if (current) current.own = attr as Direction;
    else sessionDirection = attr as Direction;
  }
  return sections.map(({ kind, direction, active, own }) => ({ kind, direction: own ?? direction, active }));
}

/**
 * Throws InvalidOfferError (400 HUB_ERR_SDP_OFFER) unless the offer's media flow the way
 * `role` needs: a publisher sends its video (and receives nothing), a viewer receives its
 * video (and sends nothing). Inactive sections are let be.
 */
export function checkOfferDirection(sdp: string, role: 'publish' | 'view'): void {
  const media = mediaSections(sdp).filter((s) => s.active && (s.kind === 'video' || s.kind === 'audio'));
  const [wrong, wanted, protocol] = role === 'publish' ? (['recvonly', 'sendonly', 'WHIP'] as const) : (['sendonly', 'recvonly', 'WHEP'] as const);
  const bad = media.find((s) => s.direction === wrong);
  if (bad) throw new InvalidOfferError(`its ${bad.kind} is ${wrong}, but a ${protocol} ${role === 'publish' ? 'publisher sends' : 'viewer receives'} (${wanted} or sendrecv)`);
  if (!media.some((s) => s.kind === 'video' && (s.direction === wanted || s.direction === 'sendrecv'))) {
    throw new InvalidOfferError(`it ${role === 'publish' ? 'sends' : 'receives'} no video (a ${protocol} offer's video is ${wanted} or sendrecv)`);
  }
}
