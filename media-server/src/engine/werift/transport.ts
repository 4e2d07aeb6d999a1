import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { RTCPeerConnection, RTCSessionDescription, useAbsSendTime, useFIR, useH264, useNACK, useOPUS, usePLI, useREMB, useRepairedRtpStreamId, useSdesMid, useSdesRTPStreamId, useVP8 } from 'werift';
import { InvalidOfferError, InvalidStateError } from '../../errors';
import type { ConsumeOptions, Producer, TransportEvents, TransportOptions, WebRtcTransport } from '../types';
import { WeriftConsumer } from './consumer';
import { WeriftProducer } from './producer';
import { nackPerSsrc } from './internals';
import '@hub/werift-patches'; // a duplicate DTLS HelloVerifyRequest, ICE consent answers delayed by a stall

/** How long a `disconnected` peer may take to come back before its transport is closed. */
const DISCONNECTED_GRACE_MS = 5000;
/** How often a connected peer's silence is checked. */
const LIVENESS_CHECK_MS = 1000;

type Role = 'publish' | 'consume';

function codecsFor(role: Role, mimeType?: string) {
  // NACK and PLI both ways; FIR for encoders that only know FIR (RFC 5104); REMB from viewers.
  // transport-cc is not offered to publishers: werift 0.24.4's receiver sends its feedback once
  // and then stops (seen in a probe), and a browser relying on it would starve its estimate.
  const rtcpFeedback = [useNACK(), usePLI(), useFIR(), useREMB()];
  // VP8 and H.264 are forwarded as they are: a viewer is offered only its producer's codec
  if (mimeType?.toLowerCase() === 'video/h264') return [useH264({ rtcpFeedback })];
  if (mimeType?.toLowerCase() === 'video/vp8') return [useVP8({ rtcpFeedback })];
  return [useVP8({ rtcpFeedback }), useH264({ rtcpFeedback })];
}

/**
 * Opus is forwarded as it is, without NACK (a late audio packet is no use) or PLI; in-band FEC
 * is the publisher's to send. Stereo as browsers offer it (RFC 7587 §6.1).
 */
function audioCodecs() {
  return [useOPUS({ parameters: 'minptime=10;useinbandfec=1' })];
}

/** One peer connection: a publisher's or a viewer's. */
export class WeriftTransport extends EventEmitter<TransportEvents> implements WebRtcTransport {
  readonly id = randomUUID();
  #pc: RTCPeerConnection | undefined;
  #closed = false;
  #graceTimer: NodeJS.Timeout | undefined;
  #owned: { close(): void } | undefined;
  #liveness: NodeJS.Timeout | undefined;
  #lastHeard = 0;

  constructor(
    private readonly opts: TransportOptions = {},
    /** tells the router about a new viewer, so it can outlive its producer */
    private readonly onConsumer: (consumer: WeriftConsumer) => void = () => {},
  ) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #open(role: Role, mimeType?: string): RTCPeerConnection {
    if (this.#pc) throw new InvalidStateError('this transport has already answered an offer');
    const pc = new RTCPeerConnection({
      codecs: { video: codecsFor(role, mimeType), audio: audioCodecs() },
      // viewers get abs-send-time so that their REMB estimate has send times to work from;
      // publishers' simulcast layers are told apart by rid (RFC 8852): a browser sends no SSRCs for them
      headerExtensions: role === 'publish' ? { video: [useSdesMid(), useSdesRTPStreamId(), useRepairedRtpStreamId()], audio: [useSdesMid()] } : { video: [useAbsSendTime()], audio: [] },
      // the SFU answers with its host addresses (and any announced one): no STUN server. werift's
      // default would ask stun.l.google.com on every answer, which a hub without the internet
      // (or with outbound UDP blocked) waits for.
      iceServers: [],
      iceAdditionalHostAddresses: this.opts.additionalHostAddresses,
      iceUseIpv6: false,
      icePortRange: this.opts.portRange,
    });
    pc.connectionStateChange.subscribe((state) => {
      // every peer's end is detected and its transport closed, so no viewer's state outlives it
      if (state === 'failed' || state === 'closed') this.close();
      else if (state === 'disconnected') this.#graceTimer ??= setTimeout(() => this.close(), DISCONNECTED_GRACE_MS);
      else if (state === 'connected') {
        if (this.#graceTimer) clearTimeout(this.#graceTimer);
        this.#graceTimer = undefined;
        this.#watchLiveness(pc);
        // The keyframe asked for at the answer may have passed before this viewer's DTLS was
        // up; ask again now that it can receive, or it waits for the publisher's next GOP.
        if (this.#owned instanceof WeriftConsumer) this.#owned.requestKeyFrame();
      }
    });
    this.#pc = pc;
    return pc;
  }

  /**
   * A peer that closes without a word (a tab killed, a viewer's process gone) would be sent to
   * until ICE consent expires (30 s, RFC 7675). While media flows, a live peer answers with
   * RTCP every second or so (RFC 3550 §6.2; a publisher sends RTP too), so silence longer than
   * `peerTimeoutMs` closes the transport. Only while media flows: a viewer waiting for its
   * publisher to return, or a publisher whose camera has not started, receives nothing to
   * report on and may be quiet.
   */
  #watchLiveness(pc: RTCPeerConnection): void {
    if (this.#liveness || this.#closed) return;
    const timeout = this.opts.peerTimeoutMs ?? 10_000;
    this.#lastHeard = Date.now();
    const heard = () => {
      this.#lastHeard = Date.now();
    };
    for (const dtls of pc.dtlsTransports) {
      dtls.onRtcp.subscribe(heard);
      dtls.onRtp.subscribe(heard);
    }
    const owned = this.#owned;
    if (owned instanceof WeriftConsumer) owned.on('producerresume', heard); // a grace period after the gap
    const every = Math.min(LIVENESS_CHECK_MS, timeout);
    let lastTick = Date.now();
    this.#liveness = setInterval(() => {
      const now = Date.now();
      // after a stall of this process's event loop, timers run before the packets that waited:
      // silence seen then is ours, not the peer's
      const lagged = now - lastTick > 2 * every;
      lastTick = now;
      if (lagged) return;
      const flowing = owned instanceof WeriftConsumer ? !owned.paused && now - owned.lastSentAt < 2000 : owned instanceof WeriftProducer && owned.flowing;
      if (flowing && now - this.#lastHeard > timeout) this.close();
    }, every);
    this.#liveness.unref();
  }

  async #answer(pc: RTCPeerConnection, offerSdp: string, beforeAnswer: () => void): Promise<string> {
    try {
      await pc.setRemoteDescription(new RTCSessionDescription(offerSdp, 'offer'));
    } catch (err) {
      this.close();
      throw new InvalidOfferError((err as Error).message);
    }
    if (!pc.getTransceivers().some((t) => t.kind === 'video')) {
      this.close();
      throw new InvalidOfferError('it has no video');
    }
    beforeAnswer();
    await pc.setLocalDescription(await pc.createAnswer());
    return pc.localDescription!.sdp; // vanilla ICE: the candidates are in it
  }

  async publish(streamId: string, offerSdp: string): Promise<{ answerSdp: string; producer: Producer }> {
    const pc = this.#open('publish');
    const opts = { keyFrameRequestIntervalMs: this.opts.keyFrameRequestIntervalMs, packetCacheSize: this.opts.packetCacheSize };
    const producer = new WeriftProducer(streamId, opts);
    this.#owned = producer;
    producer.once('close', () => this.close());
    // one video (its only track, or one per simulcast layer) and at most one audio track; tracks
    // signalled by SSRC arrive while the offer is applied, simulcast layers at their first packet
    const first = (kind: 'audio' | 'video') => pc.getTransceivers().find((t) => t.kind === kind && t.codecs.length > 0);
    const withAudio = () => {
      if (!producer.audio && first('audio')) producer.setAudio(new WeriftProducer(streamId, { ...opts, kind: 'audio' }));
      return producer.audio;
    };
    // werift announces a transceiver's first track only: every simulcast layer is a track of its receiver
    const nackSplit = new WeakSet<object>();
    const attachAll = () => {
      if (producer.closed) return;
      const video = first('video');
      const audio = first('audio');
      if (video && !nackSplit.has(video.receiver)) {
        nackSplit.add(video.receiver);
        nackPerSsrc(video.receiver);
      }
      for (const track of video?.receiver.tracks ?? []) producer.attach(track, video!.receiver);
      for (const track of audio?.receiver.tracks ?? []) withAudio()?.attach(track, audio!.receiver);
    };
    pc.onTrack.subscribe(attachAll);
    const answerSdp = await this.#answer(pc, offerSdp, withAudio);
    attachAll();
    for (const t of [first('video'), first('audio')]) t?.setDirection('recvonly');
    return { answerSdp, producer };
  }

  async consume(producer: Producer, offerSdp: string, opts: ConsumeOptions = {}): Promise<{ answerSdp: string; consumer: WeriftConsumer }> {
    if (!(producer instanceof WeriftProducer)) throw new InvalidStateError('a producer of another engine');
    const pc = this.#open('consume', producer.mimeType);
    const consumer = new WeriftConsumer(producer.streamId, producer.mimeType, 'video', { maxHeight: opts.maxHeight });
    this.#owned = consumer;
    consumer.once('close', () => this.close());
    try {
      await pc.setRemoteDescription(new RTCSessionDescription(offerSdp, 'offer'));
    } catch (err) {
      this.close();
      throw new InvalidOfferError((err as Error).message);
    }
    const video = pc.getTransceivers().find((t) => t.kind === 'video');
    if (!video) {
      this.close();
      throw new InvalidOfferError('it has no video');
    }
    await video.sender.replaceTrack(consumer.track);
    consumer.bindSender(video.sender);
    video.setDirection('sendonly');
    // audio when the viewer takes it, even of a stream without audio now: a returning publisher may bring it
    const audio = pc.getTransceivers().find((t) => t.kind === 'audio' && t.codecs.length > 0);
    if (audio) {
      const audioConsumer = new WeriftConsumer(producer.streamId, audio.codecs[0]?.mimeType, 'audio');
      consumer.setAudio(audioConsumer);
      await audio.sender.replaceTrack(audioConsumer.track);
      audioConsumer.bindSender(audio.sender);
      audio.setDirection('sendonly');
    }
    await pc.setLocalDescription(await pc.createAnswer());
    this.onConsumer(consumer);
    producer.addConsumer(consumer);
    return { answerSdp: pc.localDescription!.sdp, consumer };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    if (this.#liveness) clearInterval(this.#liveness);
    this.#owned?.close();
    void this.#pc?.close().catch(() => {});
    this.emit('close');
  }
}
