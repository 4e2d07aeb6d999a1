// What the mediasoup router forwards: the codecs the werift engine takes (VP8, H.264, Opus),
// so that a publisher and a viewer see the same SFU whichever engine runs.
import type { types } from 'mediasoup';

/**
 * VP8; H.264 packetization-mode 1 (RFC 6184 §6.3, what browsers and the agent's ffmpeg send) in
 * the profiles publishers offer (constrained baseline, baseline, main, constrained high as Chrome offers, high; the level is
 * negotiated per viewer); Opus stereo (RFC 7587 §6.1). mediasoup adds RTX for each video codec.
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ...['42e01f', '42001f', '4d001f', '640c1f', '64001f'].map((profile): types.RouterRtpCodecCapability => ({
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': profile, 'level-asymmetry-allowed': 1 },
  })),
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 } },
];
