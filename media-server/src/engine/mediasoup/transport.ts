import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import { InvalidOfferError, InvalidStateError } from '../../errors';
import type { ConsumeOptions, Producer, TransportEvents, TransportOptions, WebRtcTransport } from '../types';
import { chooseSpatialLayer, MediasoupConsumer } from './consumer';
import { MediasoupProducer } from './producer';
import type { StreamRelay } from './stream-relay';
import type { ViewerRoute } from './payload-routers';
import type { Seat } from './worker-pool';
import { answerSdp, parseOffer, producerRtpParameters, viewerRtpCapabilities, type AnsweredSection, type Offer, type OfferedSection } from './sdp';

/**
 * The least ICE consent timeout, s: werift and browsers send a consent check every 4–6 s
 * (RFC 7675 §5.1), so two may be missed before a live peer is taken as gone.
 */
const MIN_CONSENT_TIMEOUT_S = 12;

const sends = (s: OfferedSection) => !s.rejected && (s.direction === 'sendonly' || s.direction === 'sendrecv');
const receives = (s: OfferedSection) => !s.rejected && (s.direction === 'recvonly' || s.direction === 'sendrecv');

/** A mediasoup router, and the WebRtcServer of its worker (whose ports every transport there shares). */
export interface Placement {
  router: types.Router;
  webRtcServer: types.WebRtcServer;
}

/** What a transport needs of its router's streams: where to publish, a stream's relay (viewers consume it), and the list of viewers. */
export interface Streams {
  /** where a publisher of `streamId` produces: the worker of its stream's relay, else the least loaded */
  publisherPlace(streamId: string): Promise<Placement>;
  relayOf(streamId: string): Promise<StreamRelay | undefined>;
  /**
   * the router a viewer consumes in, on a worker with room (ViewerLimitError when every one is
   * full), with the viewer's own payload types (payload-routers.ts); it holds the viewer's seat
   */
  routeFor(relay: StreamRelay, sections: OfferedSection[]): Promise<ViewerRoute & Placement & { seat: Seat }>;
  addViewer(consumer: MediasoupConsumer): void;
}

/** One peer (a publisher or a viewer) on one mediasoup WebRtcTransport: ICE-lite, DTLS server, BUNDLE. */
export class MediasoupTransport extends EventEmitter<TransportEvents> implements WebRtcTransport {
  readonly id = randomUUID();
  #ms: types.WebRtcTransport | undefined;
  #owned: { close(): void } | undefined;
  #answered = false;
  #closed = false;

  constructor(
    private readonly streams: Streams,
    private readonly opts: TransportOptions = {},
  ) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens the worker's transport for an offer, where `pick` places it, and takes the offerer as the DTLS client (we answer setup:passive). */
  async #open(offerSdp: string, pick: (offer: Offer) => Promise<Placement>): Promise<{ ms: types.WebRtcTransport; offer: Offer; router: types.Router }> {
    if (this.#answered) throw new InvalidStateError('this transport has already answered an offer');
    this.#answered = true;
    let offer: Offer;
    let placed: Placement;
    try {
      offer = parseOffer(offerSdp);
      placed = await pick(offer);
    } catch (err) {
      this.close();
      throw err;
    }
    const { router, webRtcServer } = placed;
    // a peer that goes without a word (a killed tab, a viewer's process gone) stops its consent
    // checks: the worker then says ICE `disconnected`, and the transport is closed
    const iceConsentTimeout = Math.max(MIN_CONSENT_TIMEOUT_S, Math.ceil((this.opts.peerTimeoutMs ?? 10_000) / 1000));
    // on the worker's WebRtcServer: its one UDP and one TCP port (ICE-TCP, RFC 6544, for networks that block UDP)
    const ms = await router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true, iceConsentTimeout });
    this.#ms = ms;
    if (this.#closed) {
      ms.close();
      throw new InvalidStateError('the transport closed while answering');
    }
    ms.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.close();
    });
    // ICE-lite: `disconnected` means consent expired (no ICE restart is offered: WHIP PATCH is refused)
    ms.on('icestatechange', (state) => {
      if (state === 'disconnected' || state === 'closed') this.close();
    });
    ms.observer.once('close', () => this.close());
    await ms.connect({ dtlsParameters: { role: 'client', fingerprints: [offer.fingerprint] } });
    return { ms, offer, router };
  }

  /** Runs `fn`; an error closes the transport, and a refusal of the worker becomes a refused offer. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.close();
      if (err instanceof InvalidOfferError || err instanceof InvalidStateError) throw err;
      throw new InvalidOfferError((err as Error).message);
    }
  }

  async publish(streamId: string, offerSdp: string): Promise<{ answerSdp: string; producer: Producer }> {
    const { ms, offer, router } = await this.#open(offerSdp, () => this.streams.publisherPlace(streamId));
    return this.#guard(async () => {
      const video = offer.sections.find((s) => s.kind === 'video' && sends(s));
      if (!video) throw new InvalidOfferError('it sends no video');
      const audio = offer.sections.find((s) => s.kind === 'audio' && sends(s));
      const caps = router.rtpCapabilities;
      const produce = async (s: OfferedSection) => {
        const p = await ms.produce({ kind: s.kind, rtpParameters: producerRtpParameters(s, caps), keyFrameRequestDelay: this.opts.keyFrameRequestIntervalMs ?? 500 });
        return new MediasoupProducer(streamId, p, router);
      };
      const producer = await produce(video);
      this.#owned = producer;
      producer.once('close', () => this.close());
      if (audio) producer.setAudio(await produce(audio));
      const sections = offer.sections.map((s): AnsweredSection => {
        const p = s === video ? producer : s === audio ? producer.audio : undefined;
        return p ? { section: s, receives: p.ms.rtpParameters } : { section: s, refused: true };
      });
      return { answerSdp: answerSdp(ms, sections), producer };
    });
  }

  async consume(producer: Producer, offerSdp: string, opts: ConsumeOptions = {}): Promise<{ answerSdp: string; consumer: MediasoupConsumer }> {
    if (!(producer instanceof MediasoupProducer)) throw new InvalidStateError('a producer of another engine');
    // viewers consume the stream's relay, which outlives this publisher (stream-relay.ts), in a
    // router that sends the viewer's own payload types (payload-routers.ts)
    let route: (ViewerRoute & Placement & { seat: Seat }) | undefined;
    let relay: StreamRelay | undefined;
    const { ms, offer } = await this.#open(offerSdp, async (o) => {
      relay = await this.streams.relayOf(producer.streamId);
      if (!relay || relay.closed) throw new InvalidStateError(`stream "${producer.streamId}" is not ready to view yet`);
      route = await this.streams.routeFor(relay, o.sections);
      return route;
    }).catch((err: unknown) => {
      route?.seat.release();
      throw err;
    });
    const seat = route!.seat;
    this.once('close', () => seat.release());
    return this.#guard(async () => {
      const video = offer.sections.find((s) => s.kind === 'video' && receives(s));
      if (!video) throw new InvalidOfferError('it takes no video');
      const audio = offer.sections.find((s) => s.kind === 'audio' && receives(s));
      const caps = viewerRtpCapabilities(offer.sections);
      const { router, video: videoProducer, audio: audioProducer } = route!;
      const consume = async (source: types.Producer, s: OfferedSection) => {
        const layers = source.kind === 'video' ? relay!.video : undefined;
        // a simulcast stream's layer by the viewer's height from the first packet on
        const preferredLayers = layers && layers.layerCount > 1 ? { spatialLayer: chooseSpatialLayer(layers.layerHeights(), opts.maxHeight) } : undefined;
        const c = await ms.consume({ producerId: source.id, rtpCapabilities: caps, mid: s.mid, ...(preferredLayers ? { preferredLayers } : {}) });
        return new MediasoupConsumer(producer.streamId, c, { maxHeight: opts.maxHeight, layers });
      };
      if (!router.canConsume({ producerId: videoProducer.id, rtpCapabilities: caps })) throw new InvalidOfferError(`the viewer does not take ${producer.mimeType ?? 'the stream’s codec'}`);
      const consumer = await consume(videoProducer, video);
      this.#owned = consumer;
      consumer.once('close', () => this.close());
      seat.take(consumer);
      const withAudio = audio && audioProducer && router.canConsume({ producerId: audioProducer.id, rtpCapabilities: caps });
      if (withAudio) consumer.setAudio(await consume(audioProducer, audio));
      this.streams.addViewer(consumer);
      producer.addConsumer(consumer);
      if (consumer.audio) producer.audio?.addConsumer(consumer.audio);
      // a new viewer decodes from a keyframe: ask again once its DTLS is up, as the first may pass before
      ms.on('dtlsstatechange', (state) => {
        if (state === 'connected') consumer.requestKeyFrame();
      });
      const msid = randomUUID();
      const sections = offer.sections.map((s): AnsweredSection => {
        const c = s === video ? consumer : s === audio ? consumer.audio : undefined;
        return c ? { section: s, sends: c.ms.rtpParameters, msid } : { section: s, refused: true };
      });
      return { answerSdp: answerSdp(ms, sections), consumer };
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#owned?.close();
    this.#ms?.close();
    this.emit('close');
  }
}
