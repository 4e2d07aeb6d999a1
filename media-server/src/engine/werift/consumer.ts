import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { MediaStreamTrack, RTP_EXTENSION_URI, RtcpPayloadSpecificFeedback, RtpHeader, serializeAbsSendTime, type RTCRtpSender, type RtcpPacket, type RtpPacket } from 'werift';
import type { Consumer, ConsumerEvents, ConsumerStats, MediaKind } from '../types';
import type { CachedRtp } from '../rtp/packet-cache';
import { disableSenderNackCache, senderInternals } from './internals';
import type { WeriftProducer } from './producer';
import { chooseLayer, type ProducerLayer } from './layer';
import { installSenderClock, ntpFromMs, ntpSpan, type SenderClockReading } from './sender-clock';

const PLI_COUNT = 1; // RFC 4585 §6.3.1, payload-specific feedback FMT 1
const FIR_COUNT = 4; // RFC 5104 §4.3.1, FMT 4

/** The sender's fields werift's RTCP sender reports are made from (RTCRtpSender.runRtcp). */
interface SenderReportState {
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  runRtcp(): void;
}

/**
 * The send time of the packet being fanned out, taken once for all its viewers: werift's
 * ntpTime() (string formatting, buffer writes) per viewer and packet was 3 % of the SFU's CPU.
 * (And its fraction is wrong, see sender-clock.ts: abs-send-time is taken from ntpFromMs.)
 */
let sendTimeOf: RtpPacket | undefined;
let sendTime = { ntp: 0n, absSendTime: Buffer.alloc(3) };
function sendTimeFor(rtp: RtpPacket) {
  if (sendTimeOf !== rtp) {
    sendTimeOf = rtp;
    const ntp = ntpFromMs(performance.timeOrigin + performance.now());
    sendTime = { ntp, absSendTime: serializeAbsSendTime(ntp) };
  }
  return sendTime;
}

/** a - b in 16-bit sequence space, as a signed number */
const seqDiff = (a: number, b: number) => ((((a - b) & 0xffff) + 0x8000) & 0xffff) - 0x8000;

/**
 * A viewer's copy of a producer: the track its transport sends. Each viewer has its own
 * sequence and timestamp space, continuous across publishers of the same stream id, so a
 * returning camera looks to the viewer's jitter buffer like a short gap, not a new stream.
 * Of a simulcast producer it forwards one layer, and moves to another at that layer's keyframe
 * in the same way (a layer switch is a short gap too).
 */
export class WeriftConsumer extends EventEmitter<ConsumerEvents> implements Consumer {
  readonly id = randomUUID();
  readonly track: MediaStreamTrack;
  /** RTP clock ticks per ms: 90 kHz video, 48 kHz Opus */
  readonly #ticksPerMs: number;
  #audio: WeriftConsumer | undefined;
  /** the layer forwarded now, and the one wanted (switched to at its next keyframe) */
  #layer: ProducerLayer | undefined;
  #wanted: ProducerLayer | undefined;
  #maxHeight: number | undefined;
  #closed = false;
  #paused = false;
  #packets = 0;
  #bytes = 0;
  #retransmitted = 0;
  #keyFrameRequests = 0;
  #producer: WeriftProducer | undefined;
  #sender: RTCRtpSender | undefined;
  #unsubscribe: (() => void)[] = [];
  // this viewer's sequence space: out = in + offset (mod 2^16 / 2^32)
  #seqOffset = 0;
  #tsOffset = 0;
  #rebase = false;
  /** the first sequence number sent from the current producer; older NACKs are not ours to answer */
  #firstSeq: number | undefined;
  #highSeq: number | undefined;
  #highTs = 0;
  #highAt = 0;
  #lastSentAt = 0;
  /** this viewer's RTP header, rewritten for each packet (werift serializes it before its first await) */
  readonly #header = new RtpHeader();
  /** the abs-send-time extension, when the viewer negotiated it; its payload set per packet */
  #absSendTime: { id: number; payload: Buffer } | undefined;
  #rtcpStarted = false;
  #prepared = false;

  constructor(
    readonly streamId: string,
    readonly mimeType: string | undefined,
    readonly kind: MediaKind = 'video',
    opts: { maxHeight?: number } = {},
  ) {
    super();
    this.track = new MediaStreamTrack({ kind });
    this.#ticksPerMs = kind === 'audio' ? 48 : 90;
    this.#maxHeight = opts.maxHeight;
  }

  get audio(): WeriftConsumer | undefined {
    return this.#audio;
  }

  /** The viewer's audio: closed with this consumer. */
  setAudio(audio: WeriftConsumer): void {
    this.#audio = audio;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The publisher dropped (true) or is back (false). */
  setPaused(paused: boolean): void {
    if (this.#closed || paused === this.#paused) return;
    this.#paused = paused;
    this.emit(paused ? 'producerpause' : 'producerresume');
  }

  get closed(): boolean {
    return this.#closed;
  }
  get packets(): number {
    return this.#packets;
  }
  /** epoch ms of the last packet sent to the viewer */
  get lastSentAt(): number {
    return this.#lastSentAt;
  }

  /** The RTP sender of this viewer's transport: its NACKs and keyframe requests come here. */
  bindSender(sender: RTCRtpSender): void {
    this.#sender = sender;
    disableSenderNackCache(sender);
    installSenderClock(sender, () => this.#senderClock());
    const subs = [
      sender.onGenericNack.subscribe((nack) => this.#onNack(nack.lost)),
      // keyframe requests are picked out at the transport: werift routes a PLI by its sender
      // SSRC first, which a viewer may also use for its own m-line, and a FIR's header names no
      // media source at all (RFC 5104 §4.3.1.2), only the SSRCs in its FCI entries
      sender.dtlsTransport.onRtcp.subscribe((packet: RtcpPacket) => {
        if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
        const fb = (packet as RtcpPayloadSpecificFeedback).feedback as { count?: number; mediaSsrc?: number; fir?: { ssrc: number }[] } | undefined;
        if (fb?.count === PLI_COUNT && fb.mediaSsrc === sender.ssrc) this.#onKeyFrameRequest();
        else if (fb?.count === FIR_COUNT && fb.fir?.some((e) => e.ssrc === sender.ssrc)) this.#onKeyFrameRequest();
      }),
    ];
    this.#unsubscribe.push(...subs.map((s) => () => s.unSubscribe()));
  }

  /** The negotiated parameters of this viewer's RTP, known once its DTLS is up. */
  #prepareHeader(): void {
    const sender = this.#sender;
    if (!sender?.codec) return;
    this.#prepared = true;
    this.#header.ssrc = sender.ssrc;
    this.#header.payloadType = sender.codec.payloadType;
    const id = senderInternals(sender).headerExtensions?.find((e) => e.uri === RTP_EXTENSION_URI.absSendTime)?.id;
    if (id !== undefined) {
      this.#absSendTime = { id, payload: Buffer.alloc(3) };
      this.#header.extensions = [this.#absSendTime];
      this.#header.extension = true;
    }
  }

  /** Media now comes from `producer`: continue this viewer's sequence where it stopped. */
  attachProducer(producer: WeriftProducer): void {
    if (this.#producer === producer) return;
    this.#producer = producer;
    this.#layer = undefined;
    this.#wanted = undefined;
    this.fitLayer();
    this.setPaused(false);
  }

  setMaxHeight(maxHeight: number | undefined): void {
    if (this.#closed || maxHeight === this.#maxHeight) return;
    this.#maxHeight = maxHeight;
    this.fitLayer();
  }

  /** Picks the layer for the viewer's height; a new one is asked for a keyframe to switch at. */
  fitLayer(): void {
    const producer = this.#producer;
    if (this.#closed || !producer) return;
    const next = chooseLayer(producer.layers, this.#maxHeight);
    if (next) this.#wanted = next;
    if (this.#wanted && this.#wanted !== this.#layer) producer.requestKeyFrame(this.#wanted);
  }

  /**
   * Whether a packet of `layer` goes to this viewer: the current layer's do; the wanted layer
   * takes over at its keyframe (at once for a producer without layers, as audio is).
   */
  accepts(layer: ProducerLayer, keyFrame: boolean): boolean {
    if (layer === this.#layer) return true;
    if (layer !== this.#wanted) return false;
    if (!keyFrame && this.#producer!.layers.length > 1) return false;
    this.#layer = layer;
    this.#rebase = this.#highSeq !== undefined;
    this.#firstSeq = undefined;
    return true;
  }

  /** Asks the producer for a keyframe for this viewer (rate-limited by the producer). */
  requestKeyFrame(): void {
    this.#onKeyFrameRequest();
  }

  #onKeyFrameRequest(): void {
    if (this.kind !== 'video') return;
    this.#keyFrameRequests++;
    const layer = this.#wanted ?? this.#layer;
    if (layer) this.#producer?.requestKeyFrame(layer);
  }

  /** What this viewer's sender reports say: see sender-clock.ts. */
  #senderClock(): SenderClockReading | undefined {
    const sr = this.#layer?.sender;
    const now = Date.now();
    if (sr && !this.#rebase) {
      const elapsed = now - sr.at;
      return { ntp: sr.ntp + ntpSpan(elapsed), rtpTimestamp: (sr.rtpTimestamp + this.#tsOffset + Math.round(elapsed * this.#ticksPerMs)) >>> 0 };
    }
    if (this.#highSeq === undefined) return undefined;
    return { ntp: ntpFromMs(this.#highAt), rtpTimestamp: this.#highTs };
  }

  #onNack(lost: number[]): void {
    const sender = this.#sender;
    const producer = this.#producer;
    if (this.#closed || !sender?.codec || !producer || this.#firstSeq === undefined) return;
    for (const seq of lost) {
      if (seqDiff(seq, this.#firstSeq) < 0) continue; // sent from an earlier publisher
      const p = this.#layer && producer.retransmission(this.#layer, (seq - this.#seqOffset) & 0xffff);
      if (!p) continue;
      // RFC 4588 is not negotiated: the packet goes again under its own sequence number
      const header = new RtpHeader({
        ssrc: sender.ssrc,
        payloadType: sender.codec.payloadType,
        sequenceNumber: seq,
        timestamp: (p.timestamp + this.#tsOffset) >>> 0,
        marker: p.marker,
        padding: p.paddingSize > 0,
        paddingSize: p.paddingSize,
      });
      this.#retransmitted++;
      void sender.dtlsTransport.sendRtp(p.payload, header).catch(() => {});
    }
  }

  /** Forwards one packet of the producer. `orig` holds its numbers as the publisher sent them. */
  send(rtp: RtpPacket, orig: CachedRtp): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#rebase) {
      this.#rebase = false;
      this.#seqOffset = (this.#highSeq! + 1 - orig.sequenceNumber) & 0xffff;
      // keep RTP time running with the wall clock across the gap (90 kHz video, 48 kHz Opus)
      this.#tsOffset = (this.#highTs + Math.max(1, now - this.#highAt) * this.#ticksPerMs - orig.timestamp) >>> 0;
    }
    // this viewer's own header: its SSRC, payload type, sequence and time, and its own header
    // extensions (the publisher's transport-cc numbers, mid and abs-send-time are its transport's)
    const h = this.#header;
    h.sequenceNumber = (orig.sequenceNumber + this.#seqOffset) & 0xffff;
    h.timestamp = (orig.timestamp + this.#tsOffset) >>> 0;
    h.marker = orig.marker;
    h.padding = orig.paddingSize > 0;
    h.paddingSize = orig.paddingSize;
    this.#firstSeq ??= h.sequenceNumber;
    if (this.#highSeq === undefined || seqDiff(h.sequenceNumber, this.#highSeq) > 0) {
      this.#highSeq = h.sequenceNumber;
      this.#highTs = h.timestamp;
      this.#highAt = now;
    }
    this.#packets++;
    this.#bytes += rtp.payload.length;
    this.#lastSentAt = now;
    this.#write(rtp);
  }

  /**
   * Straight to the viewer's DTLS transport (SRTP, then its ICE pair), not through
   * track.writeRtp → RTCRtpSender.sendRtp, which per viewer and packet re-read the codec,
   * rebuilt and sorted the header extensions, took the time twice and fed a bandwidth
   * estimator nothing reads. What its RTCP sender reports need is kept here.
   */
  #write(rtp: RtpPacket): void {
    const sender = this.#sender;
    const dtls = sender?.dtlsTransport;
    if (!sender || dtls?.state !== 'connected') return;
    if (!this.#prepared) this.#prepareHeader();
    if (!this.#prepared) return;
    const h = this.#header;
    const { ntp, absSendTime } = sendTimeFor(rtp);
    if (this.#absSendTime) this.#absSendTime.payload = absSendTime;
    const report = sender as unknown as SenderReportState;
    report.ntpTimestamp = ntp;
    report.rtpTimestamp = h.timestamp;
    report.octetCount += rtp.payload.length;
    report.packetCount = (report.packetCount + 1) >>> 0;
    if (!this.#rtcpStarted) {
      this.#rtcpStarted = true;
      void report.runRtcp();
    }
    void dtls.sendRtp(rtp.payload, h).catch(() => {});
  }

  async stats(): Promise<ConsumerStats> {
    return this.statsNow();
  }

  /** the figures as they are now */
  statsNow(): ConsumerStats {
    const s = this.#sender ? senderInternals(this.#sender) : undefined;
    const remb = this.#sender?.receiverEstimatedMaxBitrate ?? 0n;
    return {
      id: this.id,
      packets: this.#packets,
      bytes: this.#bytes,
      retransmitted: this.#retransmitted,
      keyFrameRequests: this.#keyFrameRequests,
      packetsLost: s?.remotePacketsLost ?? null,
      fractionLost: s?.remoteFractionLost ?? null,
      roundTripMs: s?.rtt !== undefined ? Math.round(s.rtt * 1000) : null,
      estimatedBitrate: remb > 0n ? Number(remb) : null,
      kind: this.kind,
      layer: this.#layer?.rid || null,
      maxHeight: this.#maxHeight ?? null,
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#audio?.close();
    this.#producer = undefined;
    this.#layer = undefined;
    this.#wanted = undefined;
    this.#sender = undefined;
    this.track.stop();
    this.emit('close');
  }
}
