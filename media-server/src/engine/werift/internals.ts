// Fields of werift 0.24.4 (pinned) that its typings mark private but the SFU must reach:
// the receiver's negotiated codec (PLI or FIR?), and a sender's NACK cache and RTCP figures.
//
// Upstream: no werift issue or PR found on 2026-12-07 for any of these; to file: (1) public
// read access to a receiver's negotiated codec and a sender's RTT and remote loss; (2) the
// sender's NACK cache keeps the packet objects it was given, so a packet sent to several
// viewers is answered with the last one's SSRC; (3) one NACK generator per receiver reads
// interleaved simulcast SSRCs as losses. Drop each piece when werift covers it.
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

interface NackGenerator {
  addPacket(packet: { header: { sequenceNumber: number; ssrc: number } }): void;
  close(): void;
  onPacketLost: unknown;
}

/**
 * werift's receiver keeps one NACK generator for all its SSRCs: with simulcast layers
 * interleaved it reads each layer's sequence numbers as gaps in another's, and NACKs the
 * publisher every 5 ms for packets nobody lost (under the last packet's SSRC). This gives each
 * SSRC a generator of its own (werift's class, reached through the instance: it is not exported).
 */
export function nackPerSsrc(receiver: RTCRtpReceiver): void {
  const r = receiver as unknown as { nack: NackGenerator };
  const first = r.nack;
  const Generator = first.constructor as new (receiver: RTCRtpReceiver) => NackGenerator;
  const bySsrc = new Map<number, NackGenerator>();
  r.nack = {
    addPacket(packet) {
      let g = bySsrc.get(packet.header.ssrc);
      if (!g) {
        g = bySsrc.size === 0 ? first : new Generator(receiver);
        bySsrc.set(packet.header.ssrc, g);
      }
      g.addPacket(packet);
    },
    close() {
      first.close();
      for (const g of bySsrc.values()) g.close();
    },
    onPacketLost: first.onPacketLost,
  };
}
