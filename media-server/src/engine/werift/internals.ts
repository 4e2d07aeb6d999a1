// Fields of werift 0.24.4 (pinned) that its typings mark private but the SFU must reach:
// the receiver's negotiated codec (PLI or FIR?), and a sender's NACK cache and RTCP figures.
import type { RTCRtpCodecParameters, RTCRtpReceiver, RTCRtpSender } from 'werift';

export interface ReceiverInternals {
  codecArray: RTCRtpCodecParameters[];
}

export interface SenderInternals {
  rtpCache: unknown;
  rtt?: number;
  remotePacketsLost?: number;
  remoteFractionLost?: number;
  /** the header extensions negotiated for this sender */
  headerExtensions?: { id: number; uri: string }[];
}

export const receiverInternals = (r: RTCRtpReceiver) => r as unknown as ReceiverInternals;
export const senderInternals = (s: RTCRtpSender) => s as unknown as SenderInternals;

/**
 * werift's sender keeps its own 128-packet cache for NACKs, but it holds the very packet
 * objects the SFU shares between viewers (their headers rewritten by the last viewer's sender),
 * so its answers would carry another viewer's SSRC. The producer's cache answers instead;
 * this switches the sender's off.
 */
const NO_CACHE = new Proxy([] as unknown[], { set: () => true, get: (t, k) => (k === 'length' ? 0 : undefined) });
export function disableSenderNackCache(sender: RTCRtpSender): void {
  Object.defineProperty(sender, 'rtpCache', { get: () => NO_CACHE, set: () => {}, configurable: true });
}
