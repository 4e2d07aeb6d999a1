// A WHIP publisher's or WHEP viewer's SDP offer (RFC 9725) as mediasoup's RTP parameters, and
// the answer back: ICE-lite (RFC 8445 §2.5) with the transport's candidates, its DTLS
// fingerprint and `setup:passive` (RFC 8842 §5.3: the offerer is the DTLS client), one BUNDLE
// group (RFC 9143) over every accepted section. mediasoup speaks RTP parameters, not SDP; this
// is the bridge, in the spirit of mediasoup-sdp-bridge and mediasoup-client's RemoteSdp.
import * as sdpTransform from 'sdp-transform';
import * as h264 from 'h264-profile-level-id';
import type { types } from 'mediasoup';
import type { MediaKind } from '../types';
import { InvalidOfferError } from '../../errors';

type MediaDescription = sdpTransform.MediaDescription;

export interface OfferedCodec {
  payloadType: number;
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters: Record<string, string | number>;
  rtcpFeedback: types.RtcpFeedback[];
}

/** One m= section of an offer. */
export interface OfferedSection {
  kind: MediaKind;
  mid: string;
  /** the offerer's direction: a publisher's sections are sendonly (or sendrecv), a viewer's recvonly */
  direction: 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive';
  /** port 0: a section the offerer turned off (RFC 3264 §5.1) */
  rejected: boolean;
  codecs: OfferedCodec[];
  headerExtensions: { id: number; uri: string }[];
  /** the sender's streams signalled by SSRC (a=ssrc, a=ssrc-group:FID for RTX) */
  ssrcs: { ssrc: number; rtxSsrc?: number }[];
  cname: string | undefined;
  /** simulcast layers the offerer sends (a=simulcast send, a=rid … send), in its order */
  rids: string[];
}

export interface Offer {
  sections: OfferedSection[];
  fingerprint: types.DtlsFingerprint;
}

const DIRECTIONS = ['sendonly', 'recvonly', 'sendrecv', 'inactive'] as const;

/** Parses an offer; refuses one without a DTLS fingerprint or without sections (HUB_ERR_INVALID_OFFER). */
export function parseOffer(sdp: string): Offer {
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch (err) {
    throw new InvalidOfferError((err as Error).message);
  }
  const media = session.media ?? [];
  const fp = media.find((m) => m.fingerprint)?.fingerprint ?? session.fingerprint;
  if (!fp) throw new InvalidOfferError('it has no DTLS fingerprint');
  if (media.length === 0) throw new InvalidOfferError('it has no media');
  return { sections: media.map((m, i) => section(m, i)), fingerprint: { algorithm: fp.type.toLowerCase() as types.FingerprintAlgorithm, value: fp.hash } };
}

function section(m: MediaDescription, index: number): OfferedSection {
  const kind: MediaKind = m.type === 'audio' ? 'audio' : 'video';
  const codecs = (m.rtp ?? []).map((r): OfferedCodec => {
    const fmtp = (m.fmtp ?? []).find((f) => f.payload === r.payload);
    const channels = kind === 'audio' ? Number(r.encoding ?? 1) : undefined;
    return {
      payloadType: r.payload,
      mimeType: `${kind}/${r.codec}`,
      clockRate: r.rate ?? 90000,
      ...(channels !== undefined ? { channels } : {}),
      parameters: fmtp ? (sdpTransform.parseParams(fmtp.config) as Record<string, string | number>) : {},
      rtcpFeedback: (m.rtcpFb ?? []).filter((fb) => String(fb.payload) === String(r.payload) || fb.payload === '*').map((fb) => ({ type: fb.type, parameter: fb.subtype ?? '' })),
    };
  });
  const ssrcIds = [...new Set((m.ssrcs ?? []).map((s) => Number(s.id)))];
  const fid = (m.ssrcGroups ?? []).filter((g) => g.semantics === 'FID').map((g) => g.ssrcs.split(' ').map(Number));
  const rtxSsrcs = new Set(fid.map((g) => g[1]));
  const ssrcs = ssrcIds.filter((s) => !rtxSsrcs.has(s)).map((ssrc) => ({ ssrc, rtxSsrc: fid.find((g) => g[0] === ssrc)?.[1] }));
  // RFC 8853 §5.1: "a=simulcast:send h;m;l" names the layers in the sender's order; alternatives (h,x) take the first
  const simulcastSend = m.simulcast?.dir1 === 'send' ? m.simulcast.list1 : undefined;
  const ridsSent = (m.rids ?? []).filter((r) => r.direction === 'send').map((r) => String(r.id));
  const rids = simulcastSend ? simulcastSend.split(';').map((alt) => alt.split(',')[0]!.replace(/^~/, '')) : ridsSent.length > 1 ? ridsSent : [];
  return {
    kind,
    mid: m.mid !== undefined ? String(m.mid) : String(index),
    direction: DIRECTIONS.find((d) => d === m.direction) ?? 'sendrecv',
    rejected: m.port === 0,
    codecs,
    headerExtensions: (m.ext ?? []).map((e) => ({ id: e.value, uri: e.uri })),
    ssrcs,
    cname: (m.ssrcs ?? []).find((s) => s.attribute === 'cname')?.value,
    rids,
  };
}

const isRtx = (c: { mimeType: string }) => c.mimeType.toLowerCase().endsWith('/rtx');

/**
 * Whether an offered codec is one the router forwards: same name and clock rate, Opus's
 * channels, and for H.264 packetization-mode 1 and the same profile (RFC 6184 §8.1; a level
 * may differ), as mediasoup's ortc matches a producer's codec to the router's.
 */
export function sameCodec(offered: OfferedCodec, cap: types.RtpCodecCapability): boolean {
  if (offered.mimeType.toLowerCase() !== cap.mimeType.toLowerCase() || offered.clockRate !== cap.clockRate) return false;
  if (cap.kind === 'audio' && (offered.channels ?? 1) !== (cap.channels ?? 1)) return false;
  if (cap.mimeType.toLowerCase() !== 'video/h264') return true;
  const capParams = cap.parameters ?? {};
  if (Number(offered.parameters['packetization-mode'] ?? 0) !== Number(capParams['packetization-mode'] ?? 0)) return false;
  return h264.isSameProfile(offered.parameters, capParams);
}

/** The first codec of a section the router forwards (offers list codecs in preference order, RFC 3264 §5.1). */
export function chooseCodec(s: OfferedSection, caps: types.RtpCapabilities): { offered: OfferedCodec; cap: types.RtpCodecCapability } | undefined {
  for (const offered of s.codecs) {
    if (isRtx(offered)) continue;
    const cap = caps.codecs?.find((c) => c.kind === s.kind && !isRtx(c) && sameCodec(offered, c));
    if (cap) return { offered, cap };
  }
  return undefined;
}

/** A section's header extensions that the router also knows (by URI), with the offerer's ids. */
function sharedExtensions(s: OfferedSection, caps: types.RtpCapabilities): types.RtpHeaderExtensionParameters[] {
  const known = (caps.headerExtensions ?? []).filter((e) => e.kind === s.kind && (e.direction === 'sendrecv' || e.direction === 'recvonly' || e.direction === undefined));
  return s.headerExtensions.filter((e) => known.some((k) => k.uri === e.uri)).map((e) => ({ uri: e.uri as types.RtpHeaderExtensionUri, id: e.id }));
}

/**
 * Publishers are not offered transport-cc: this worker is built with mediasoup's "built-in BWE"
 * (`ms_use_builtin_bwe`, no libwebrtc), a stub in 3.27 that sends no transport-cc feedback (nor
 * REMB), so a browser that negotiated it heard nothing back and its send estimate fell from 300
 * to 84 kbit/s on loopback within seconds (Chromium 2026-12). Without it the browser's estimate
 * follows loss and climbs. README "No congestion control in this build".
 */
const TRANSPORT_WIDE_CC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/**
 * A publisher's section as a producer's RTP parameters. The worker tells its streams apart by
 * SSRC when the offer signals them, else by mid and rid header extensions (RFC 8852): a
 * browser's simulcast layers have no SSRC in the offer. The layers go lowest first, as
 * mediasoup numbers spatial layers; offers list them full size first (the body cam's h;m;l).
 */
export function producerRtpParameters(s: OfferedSection, caps: types.RtpCapabilities): types.RtpParameters {
  const chosen = chooseCodec(s, caps);
  if (!chosen) throw new InvalidOfferError(`its ${s.kind} section offers no codec the SFU forwards (VP8, H.264 packetization-mode 1, Opus)`);
  const { offered } = chosen;
  const codecs: types.RtpCodecParameters[] = [
    {
      mimeType: offered.mimeType,
      payloadType: offered.payloadType,
      clockRate: offered.clockRate,
      channels: offered.channels,
      parameters: offered.parameters,
      rtcpFeedback: offered.rtcpFeedback.filter((fb) => fb.type !== 'transport-cc'),
    },
  ];
  const rtx = s.codecs.find((c) => isRtx(c) && Number(c.parameters.apt) === offered.payloadType);
  if (rtx) codecs.push({ mimeType: rtx.mimeType, payloadType: rtx.payloadType, clockRate: rtx.clockRate, parameters: rtx.parameters, rtcpFeedback: [] });
  let encodings: types.RtpEncodingParameters[];
  if (s.rids.length > 1) encodings = [...s.rids].reverse().map((rid) => ({ rid }));
  else if (s.ssrcs.length > 0) encodings = [{ ssrc: s.ssrcs[0]!.ssrc, ...(rtx && s.ssrcs[0]!.rtxSsrc ? { rtx: { ssrc: s.ssrcs[0]!.rtxSsrc } } : {}) }];
  else encodings = [{}];
  return { mid: s.mid, codecs, headerExtensions: sharedExtensions(s, caps).filter((e) => e.uri !== TRANSPORT_WIDE_CC), encodings, rtcp: { cname: s.cname, reducedSize: true } };
}

/**
 * A viewer's sections as RTP capabilities: the codecs and feedback it takes, and the header
 * extensions it offered. mediasoup keeps only those extensions whose id is the router's own, so
 * the viewer's ids are kept as they are (an extension offered under another id is not sent).
 */
export function viewerRtpCapabilities(sections: OfferedSection[]): types.RtpCapabilities {
  const wanted = sections.filter((s) => !s.rejected && (s.direction === 'recvonly' || s.direction === 'sendrecv'));
  return {
    codecs: wanted.flatMap((s) =>
      s.codecs
        .filter((c) => !isRtx(c))
        .map((c): types.RtpCodecCapability => ({
          kind: s.kind,
          mimeType: c.mimeType as types.RtpCodecCapability['mimeType'],
          preferredPayloadType: c.payloadType,
          clockRate: c.clockRate,
          channels: c.channels,
          parameters: c.parameters,
          rtcpFeedback: c.rtcpFeedback,
        })),
    ),
    headerExtensions: wanted.flatMap((s) => s.headerExtensions.map((e) => ({ kind: s.kind, uri: e.uri as types.RtpHeaderExtensionUri, preferredId: e.id, direction: 'sendrecv' as const }))),
  };
}

/** What the answer says of one section: what the SFU receives (publisher) or sends (viewer), or nothing (refused). */
export type AnsweredSection = { section: OfferedSection } & ({ receives: types.RtpParameters } | { sends: types.RtpParameters; msid: string } | { refused: true });

export interface TransportSide {
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

const fmtp = (params: Record<string, unknown> | undefined) =>
  Object.entries(params ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');

/** The SDP answer (RFC 3264 §6) for an offer this transport took. */
export function answerSdp(transport: TransportSide, sections: AnsweredSection[]): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? transport.dtlsParameters.fingerprints[0]!;
  // UDP first (the c= line's address), then ICE-TCP passive ones (RFC 6544 §4.5)
  const candidates = [...transport.iceCandidates].sort((a, b) => (a.protocol === b.protocol ? 0 : a.protocol === 'udp' ? -1 : 1));
  const first = candidates.find((c) => c.protocol === 'udp');
  const bundled = sections.filter((a) => !('refused' in a)).map((a) => a.section.mid);
  const lines = [
    'v=0',
    `o=- ${Date.now()} 1 IN IP4 0.0.0.0`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${bundled.join(' ')}`,
    'a=msid-semantic: WMS *',
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
  ];
  for (const a of sections) {
    const s = a.section;
    const params = 'receives' in a ? a.receives : 'sends' in a ? a.sends : undefined;
    if (!params) {
      // RFC 3264 §6: a refused section keeps its place with port 0
      lines.push(`m=${s.kind} 0 UDP/TLS/RTP/SAVPF ${s.codecs[0]?.payloadType ?? 0}`, 'c=IN IP4 0.0.0.0', `a=mid:${s.mid}`, 'a=inactive');
      continue;
    }
    const pts = params.codecs.map((c) => c.payloadType);
    lines.push(`m=${s.kind} ${first?.port ?? 9} UDP/TLS/RTP/SAVPF ${pts.join(' ')}`, `c=IN IP4 ${first?.address ?? '0.0.0.0'}`, 'a=rtcp:9 IN IP4 0.0.0.0');
    lines.push(`a=ice-ufrag:${transport.iceParameters.usernameFragment}`, `a=ice-pwd:${transport.iceParameters.password}`);
    for (const c of candidates) lines.push(`a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${c.protocol === 'tcp' ? ' tcptype passive' : ''}`);
    lines.push('a=end-of-candidates', 'a=setup:passive', `a=mid:${s.mid}`, 'receives' in a ? 'a=recvonly' : 'a=sendonly', 'a=rtcp-mux', 'a=rtcp-rsize');
    for (const c of params.codecs) {
      const [, name] = c.mimeType.split('/');
      lines.push(`a=rtpmap:${c.payloadType} ${name}/${c.clockRate}${c.channels && c.channels > 1 ? `/${c.channels}` : ''}`);
      if (fmtp(c.parameters)) lines.push(`a=fmtp:${c.payloadType} ${fmtp(c.parameters)}`);
      for (const fb of c.rtcpFeedback ?? []) lines.push(`a=rtcp-fb:${c.payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`);
    }
    for (const e of params.headerExtensions ?? []) lines.push(`a=extmap:${e.id} ${e.uri}`);
    if ('receives' in a && s.rids.length > 1) {
      // RFC 8853 §5.1: the answerer receives the layers the offerer sends, in its order
      for (const rid of s.rids) lines.push(`a=rid:${rid} recv`);
      lines.push(`a=simulcast:recv ${s.rids.join(';')}`);
    }
    if ('sends' in a) {
      const enc = a.sends.encodings?.[0];
      const cname = a.sends.rtcp?.cname ?? 'hub';
      lines.push(`a=msid:${a.msid} ${a.msid}-${s.kind}`);
      if (enc?.rtx?.ssrc) lines.push(`a=ssrc-group:FID ${enc.ssrc} ${enc.rtx.ssrc}`);
      for (const ssrc of [enc?.ssrc, enc?.rtx?.ssrc]) if (ssrc) lines.push(`a=ssrc:${ssrc} cname:${cname}`);
    }
  }
  return [...lines, ''].join('\r\n');
}
