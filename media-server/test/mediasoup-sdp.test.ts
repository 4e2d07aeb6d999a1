// The mediasoup engine's SDP bridge (engine/mediasoup/sdp.ts) on offers as publishers and
// viewers send them: a browser's simulcast publisher (Chrome's shape: rids, no SSRCs), H.264
// offers of several profiles and packetization modes, and the answer's ICE-lite, DTLS and BUNDLE.
import { describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../src/engine/mediasoup/codecs';
import { answerSdp, parseOffer, producerRtpParameters, viewerRtpCapabilities, type TransportSide } from '../src/engine/mediasoup/sdp';
import type { types } from 'mediasoup';

// the router's capabilities as mediasoup derives them from MEDIA_CODECS (payload types assigned)
const CAPS: types.RtpCapabilities = {
  codecs: MEDIA_CODECS.map((c, i) => ({ ...c, preferredPayloadType: 100 + i, rtcpFeedback: c.kind === 'video' ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] : [] })),
  headerExtensions: [
    { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, direction: 'sendrecv' },
    { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', preferredId: 2, direction: 'recvonly' },
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, direction: 'sendrecv' },
  ],
};

const FINGERPRINT = 'sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3F:B6:2F:5E:91:C4:A5:1D:7C:60:F0:0D';

/** A browser body cam's offer: three VP8 layers by rid (h, m, l), Opus with an SSRC. */
const SIMULCAST_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  `a=fingerprint:${FINGERPRINT}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=extmap:13 urn:3gpp:video-orientation',
  'a=sendonly',
  'a=msid:cam video',
  'a=rtcp-mux',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rid:h send',
  'a=rid:m send',
  'a=rid:l send',
  'a=simulcast:send h;m;l',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendonly',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=ssrc:1234 cname:bodycam',
  '',
].join('\r\n');

const h264Offer = (fmtps: string[]) =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `m=video 9 UDP/TLS/RTP/SAVPF ${fmtps.map((_, i) => 102 + i).join(' ')}`,
    `a=fingerprint:${FINGERPRINT}`,
    'a=mid:v',
    'a=sendonly',
    ...fmtps.flatMap((f, i) => [`a=rtpmap:${102 + i} H264/90000`, `a=fmtp:${102 + i} ${f}`]),
    'a=ssrc:42 cname:agent',
    '',
  ].join('\r\n');

describe('the mediasoup engine’s SDP bridge', () => {
  it('maps a browser’s simulcast offer to layers by rid, lowest first, with the offerer’s extension ids', () => {
    const offer = parseOffer(SIMULCAST_OFFER);
    expect(offer.fingerprint).toEqual({ algorithm: 'sha-256', value: FINGERPRINT.split(' ')[1] });
    const [video, audio] = offer.sections;
    expect(video).toMatchObject({ kind: 'video', mid: '0', direction: 'sendonly', rids: ['h', 'm', 'l'], ssrcs: [] });
    const params = producerRtpParameters(video!, CAPS);
    // mediasoup numbers spatial layers lowest first; the body cam offers full size first
    expect(params.encodings).toEqual([{ rid: 'l' }, { rid: 'm' }, { rid: 'h' }]);
    expect(params.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([
      ['video/VP8', 96],
      ['video/rtx', 97],
    ]);
    // mid and rid are known to the router, under the browser's ids; video-orientation is not
    expect(params.headerExtensions).toEqual([
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 },
    ]);
    const sound = producerRtpParameters(audio!, CAPS);
    expect(sound.encodings).toEqual([{ ssrc: 1234 }]);
    expect(sound.codecs[0]).toMatchObject({ mimeType: 'audio/opus', payloadType: 111, channels: 2 });
    expect(sound.rtcp?.cname).toBe('bodycam');
  });

  it('gives a publisher REMB, not transport-cc (its feedback made Chromium’s send estimate collapse to one layer)', () => {
    const withBwe = SIMULCAST_OFFER.replace(
      'a=extmap:13 urn:3gpp:video-orientation',
      'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\na=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    ).replace('a=rtcp-fb:96 nack\r\n', 'a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 nack\r\n');
    const offer = parseOffer(withBwe);
    const bweCaps: types.RtpCapabilities = {
      ...CAPS,
      headerExtensions: [
        ...CAPS.headerExtensions!,
        { kind: 'video', uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', preferredId: 4, direction: 'sendrecv' },
        { kind: 'video', uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', preferredId: 5, direction: 'sendrecv' },
      ],
    };
    const params = producerRtpParameters(offer.sections[0]!, bweCaps);
    expect(params.codecs[0]!.rtcpFeedback!.map((f) => f.type)).toEqual(['goog-remb', 'nack', 'nack']);
    expect(params.headerExtensions!.map((e) => e.uri)).toContain('http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time');
    expect(params.headerExtensions!.map((e) => e.uri)).not.toContain('http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01');
  });

  it('takes the first H.264 of packetization-mode 1 whose profile the router has, and refuses an offer with none', () => {
    // mode 0 first (the router takes only mode 1), then constrained baseline at level 3.1
    const offer = parseOffer(
      h264Offer(['packetization-mode=0;profile-level-id=42e01f', 'packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1', 'packetization-mode=1;profile-level-id=640c1f']),
    );
    const params = producerRtpParameters(offer.sections[0]!, CAPS);
    expect(params.codecs).toHaveLength(1);
    expect(params.codecs[0]).toMatchObject({ payloadType: 103, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } });
    expect(params.encodings).toEqual([{ ssrc: 42 }]);
    // constrained high at level 5.2 matches the router's constrained high at 3.1: the level is not the profile
    const high = parseOffer(h264Offer(['packetization-mode=1;profile-level-id=640c34']));
    expect(producerRtpParameters(high.sections[0]!, CAPS).codecs[0]).toMatchObject({ payloadType: 102 });
    const modeZero = parseOffer(h264Offer(['packetization-mode=0;profile-level-id=42e01f']));
    expect(() => producerRtpParameters(modeZero.sections[0]!, CAPS)).toThrow(expect.objectContaining({ code: 'HUB_ERR_SDP_OFFER' }));
  });

  it('refuses an offer without a DTLS fingerprint', () => {
    expect(() => parseOffer(h264Offer(['packetization-mode=1;profile-level-id=42e01f']).replace(/a=fingerprint:.*\r\n/, ''))).toThrow(
      expect.objectContaining({ code: 'HUB_ERR_SDP_OFFER', statusCode: 400 }),
    );
  });

  it('answers ICE-lite and setup:passive with every candidate, receiving the layers in the offerer’s order', () => {
    const offer = parseOffer(SIMULCAST_OFFER);
    const transport: TransportSide = {
      iceParameters: { usernameFragment: 'srvufrag', password: 'srvpassword', iceLite: true },
      iceCandidates: [
        { foundation: 'udpcandidate', priority: 1076302079, ip: '192.0.2.10', address: '192.0.2.10', protocol: 'udp', port: 40001, type: 'host' },
        { foundation: 'udpcandidate', priority: 1076302078, ip: '127.0.0.1', address: '127.0.0.1', protocol: 'udp', port: 40002, type: 'host' },
      ],
      dtlsParameters: { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] },
    };
    const receives = producerRtpParameters(offer.sections[0]!, CAPS);
    const sdp = answerSdp(transport, [
      { section: offer.sections[0]!, receives },
      { section: offer.sections[1]!, refused: true },
    ]);
    const lines = sdp.split('\r\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'a=ice-lite',
        'a=group:BUNDLE 0',
        'a=fingerprint:sha-256 AA:BB',
        'a=setup:passive',
        'a=recvonly',
        'a=rid:h recv',
        'a=simulcast:recv h;m;l',
        'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
      ]),
    );
    expect(lines.filter((l) => l.startsWith('a=candidate:'))).toEqual([
      'a=candidate:udpcandidate 1 udp 1076302079 192.0.2.10 40001 typ host',
      'a=candidate:udpcandidate 1 udp 1076302078 127.0.0.1 40002 typ host',
    ]);
    // a refused section keeps its place with port 0 (RFC 3264 §6)
    expect(lines).toContain('m=audio 0 UDP/TLS/RTP/SAVPF 111');
  });

  it('reads a viewer’s offer as what it takes: codecs and extensions of its receiving sections only', () => {
    const viewer = SIMULCAST_OFFER.replace(/a=sendonly/g, 'a=recvonly').replace('m=audio 9', 'm=audio 0');
    const caps = viewerRtpCapabilities(parseOffer(viewer).sections);
    expect(caps.codecs?.map((c) => [c.kind, c.mimeType, c.preferredPayloadType])).toEqual([['video', 'video/VP8', 96]]);
    expect(caps.headerExtensions?.map((e) => e.preferredId)).toEqual([4, 10, 13]);
  });
});
