// The least SDP ⇄ mediasoup mapping that lets a werift peer's offer (one video section, as
// the edge agent's WHIP publisher and test-support's WHEP viewer make) meet a mediasoup
// WebRtcTransport: a test helper, not the hub's signalling (that is the mediasoup engine's).
import type { types } from 'mediasoup';

/** What one offered video section says that mediasoup needs. */
export interface VideoOffer {
  mid: string;
  direction: 'sendonly' | 'recvonly';
  payloadType: number;
  mimeType: string;
  /** the publisher's SSRC and CNAME (a=ssrc) */
  ssrc: number | undefined;
  cname: string | undefined;
  rtcpFeedback: types.RtcpFeedback[];
  fingerprint: types.DtlsFingerprint;
}

export function parseVideoOffer(sdp: string): VideoOffer {
  const lines = sdp.split(/\r?\n/);
  const attr = (name: string) => lines.find((l) => l.startsWith(`a=${name}:`))?.slice(name.length + 3);
  const rtpmap = /^(\d+) ([^/]+)\/90000/.exec(attr('rtpmap') ?? '');
  const fingerprint = /^(\S+) (\S+)$/.exec(attr('fingerprint') ?? '');
  if (!rtpmap || !fingerprint) throw new Error('the offer has no video codec or no DTLS fingerprint');
  const payloadType = Number(rtpmap[1]);
  const ssrcLine = /^(\d+) cname:(\S+)/.exec(attr('ssrc') ?? '');
  const rtcpFeedback = lines.flatMap((l) => {
    const m = new RegExp(`^a=rtcp-fb:${payloadType} (\\S+)(?: (\\S+))?$`).exec(l);
    return m && m[1] !== 'goog-remb' ? [{ type: m[1]!, parameter: m[2] ?? '' }] : [];
  });
  return {
    mid: attr('mid') ?? '0',
    direction: lines.includes('a=recvonly') ? 'recvonly' : 'sendonly',
    payloadType,
    mimeType: `video/${rtpmap[2]}`,
    ssrc: ssrcLine ? Number(ssrcLine[1]) : undefined,
    cname: ssrcLine?.[2],
    rtcpFeedback,
    fingerprint: { algorithm: fingerprint[1] as types.FingerprintAlgorithm, value: fingerprint[2]! },
  };
}

/** The offerer's DTLS: our answer says `setup:passive`, so it is the DTLS client (RFC 8842 §5.3). */
export const remoteDtls = (offer: VideoOffer): types.DtlsParameters => ({ role: 'client', fingerprints: [offer.fingerprint] });

const codec = (offer: VideoOffer) => ({ mimeType: offer.mimeType, clockRate: 90000, rtcpFeedback: offer.rtcpFeedback });

/** A publisher's offer as the producer's RTP parameters (demultiplexed by its SSRC). */
export function producerRtpParameters(offer: VideoOffer): types.RtpParameters {
  return { mid: offer.mid, codecs: [{ ...codec(offer), payloadType: offer.payloadType }], encodings: [{ ssrc: offer.ssrc! }], headerExtensions: [], rtcp: { cname: offer.cname, reducedSize: true } };
}

/** A viewer's offer as RTP capabilities: which codecs and feedback it takes. */
export function viewerRtpCapabilities(offer: VideoOffer): types.RtpCapabilities {
  return { codecs: [{ kind: 'video', ...codec(offer), preferredPayloadType: offer.payloadType }], headerExtensions: [] };
}

/** The answer: ICE-lite with the transport's one UDP candidate, and the consumer's SSRC for a viewer. */
export function answerSdp(offer: VideoOffer, transport: types.WebRtcTransport, consumer?: types.Consumer): string {
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256')!;
  const candidate = transport.iceCandidates.find((c) => c.protocol === 'udp')!;
  // a consumer sends with the router's payload type, whatever the viewer offered: the answer says which
  const payloadType = consumer?.rtpParameters.codecs[0]?.payloadType ?? offer.payloadType;
  const sending = consumer?.rtpParameters.encodings?.[0]?.ssrc;
  return [
    'v=0',
    `o=- ${Date.now()} 1 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${offer.mid}`,
    `a=fingerprint:sha-256 ${fingerprint.value}`,
    `m=video ${candidate.port} UDP/TLS/RTP/SAVPF ${payloadType}`,
    `c=IN IP4 ${candidate.address}`,
    `a=ice-ufrag:${transport.iceParameters.usernameFragment}`,
    `a=ice-pwd:${transport.iceParameters.password}`,
    `a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${candidate.address} ${candidate.port} typ host`,
    'a=end-of-candidates',
    'a=setup:passive',
    `a=mid:${offer.mid}`,
    offer.direction === 'sendonly' ? 'a=recvonly' : 'a=sendonly',
    'a=rtcp-mux',
    `a=rtpmap:${payloadType} ${offer.mimeType.slice('video/'.length)}/90000`,
    ...offer.rtcpFeedback.map((fb) => `a=rtcp-fb:${payloadType} ${fb.type}${fb.parameter ? ` ${fb.parameter}` : ''}`),
    ...(sending ? [`a=msid:hub video`, `a=ssrc:${sending} cname:${consumer!.rtpParameters.rtcp?.cname ?? 'hub'}`] : []),
    '',
  ].join('\r\n');
}
