// One recording while it runs: follows its stream id from producer to producer, feeds each
// producer's RTP to an ffmpeg part from a keyframe, and indexes every closed segment.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { RecordingState } from '@hub/config';
import type { Producer } from '../engine/types';
import { RecordingPart, type ClosedSegment } from './ffmpeg-part';
import { codecOf, isKeyFrameStart, parseRtpHeader, type RecordedCodec } from './rtp';
import { insertSegment, setRecordingCodec, type NewRecording, type SegmentRow } from './store';
import { withFields, type Queryable, type RecorderLog } from './types';

export interface SessionDeps {
  db: Queryable;
  /** the recordings folder; this recording writes in `root/{id}` */
  root: string;
  ffmpegPath: string;
  segmentSeconds: number;
  log: RecorderLog;
  onSegment: (segment: SegmentRow) => void;
}

/** the GOP kept while no ffmpeg runs, so a part begins at the last keyframe */
const MAX_GOP_PACKETS = 4000;
const MAX_GOP_BYTES = 8 * 1024 * 1024;
/** a part that ended by itself is not restarted sooner than this, ms */
const RESTART_BACKOFF_MS = 1000;

export class RecordingSession {
  #state: RecordingState = 'waiting';
  #producer: Producer | undefined;
  #untap: (() => void) | undefined;
  #onProducerClose: (() => void) | undefined;
  #keyFrameSeen = false;
  #unsupported: string | undefined;
  #gop: Buffer[] = [];
  #gopBytes = 0;
  #gopTimestamp = 0;
  /** RTP time → wall clock for the producer's packets: the last timestamp and the ticks since the GOP's keyframe */
  #clock = { last: 0, ticks: 0 };
  /** the earliest wall-clock time the GOP's keyframe can have been sent (see #impliedStart) */
  #gopAnchor = 0;
  #part: RecordingPart | undefined;
  #starting: Promise<void> | undefined;
  #nextStartAt = 0;
  #partNo = 0;
  #seq = 0;
  #codecSaved = false;
  /** every part's `done`, in order; a part indexes its segments after the one before it */
  #partsDone: Promise<void>[] = [];
  #stopped: Promise<void> | undefined;
  #stoppedDone = false;

  readonly dir: string;
  readonly #log: RecorderLog;

  constructor(
    readonly recording: NewRecording,
    private readonly deps: SessionDeps,
  ) {
    this.dir = path.join(deps.root, recording.id);
    this.#log = withFields(deps.log, { recordingId: recording.id, streamId: recording.streamId });
  }

  get id(): string {
    return this.recording.id;
  }
  get streamId(): string {
    return this.recording.streamId;
  }
  /** 'ended' only once stop() has finished: every segment indexed */
  get state(): RecordingState {
    if (this.#state !== 'ended') return this.#state;
    return this.#stoppedDone ? 'ended' : 'stopping';
  }

  /** Called periodically with the stream's current producer (or none). */
  follow(producer: Producer | undefined): void {
    if (this.#state === 'ended') return;
    if (producer && producer !== this.#producer && !producer.closed) this.#attach(producer);
    // until a keyframe arrives, ask for one (the engine sends at most one PLI a second)
    if (this.#producer && !this.#keyFrameSeen) this.#producer.requestKeyFrame();
  }

  #attach(producer: Producer): void {
    this.#detach();
    this.#producer = producer;
    this.#keyFrameSeen = false;
    this.#untap = producer.onRtp((packet) => this.#onPacket(producer, packet));
    this.#onProducerClose = () => {
      if (this.#producer === producer) this.#detach();
    };
    producer.once('close', this.#onProducerClose);
    producer.requestKeyFrame();
    this.#log.info({ producerId: producer.id }, 'recording: following the publisher');
  }

  /** The publisher went: its part ends (ffmpeg closes the last segment); a returning one starts a new part. */
  #detach(): void {
    const producer = this.#producer;
    if (!producer) return;
    this.#untap?.();
    if (this.#onProducerClose) producer.off('close', this.#onProducerClose);
    this.#producer = undefined;
    this.#untap = undefined;
    this.#onProducerClose = undefined;
    this.#gop = [];
    this.#gopBytes = 0;
    const part = this.#part;
    this.#part = undefined;
    if (part) void part.stop();
    if (this.#state === 'recording') this.#state = 'waiting';
  }

  #onPacket(producer: Producer, packet: Buffer): void {
    if (this.#state === 'ended') return;
    const codec = codecOf(producer.mimeType);
    if (!codec) {
      if (this.#unsupported !== producer.id) {
        this.#unsupported = producer.id;
        this.#log.warn({ mimeType: producer.mimeType }, 'recording: this codec cannot be recorded (H.264 and VP8 can)');
      }
      return;
    }
    const header = parseRtpHeader(packet);
    if (!header) return;
    const now = Date.now();
    const part = this.#part;
    if (part && !part.exited) {
      if (header.payloadType !== part.payloadType) return;
      part.send(packet);
      part.anchor(this.#impliedStart(header.timestamp, now));
      return;
    }
    // no ffmpeg running: keep the GOP from the last keyframe until one is
    const key = isKeyFrameStart(codec, packet, header);
    if (key && (this.#gop.length === 0 || header.timestamp !== this.#gopTimestamp)) {
      this.#keyFrameSeen = true;
      this.#gop = [packet];
      this.#gopBytes = packet.length;
      this.#gopTimestamp = header.timestamp;
      this.#clock = { last: header.timestamp, ticks: 0 };
      this.#gopAnchor = now;
    } else if (this.#gop.length > 0) {
      this.#gop.push(packet);
      this.#gopBytes += packet.length;
      this.#gopAnchor = Math.min(this.#gopAnchor, this.#impliedStart(header.timestamp, now));
      if (this.#gop.length > MAX_GOP_PACKETS || this.#gopBytes > MAX_GOP_BYTES) {
        this.#gop = []; // wait for the next keyframe
        this.#gopBytes = 0;
        this.#keyFrameSeen = false;
      }
    }
    if (this.#gop.length > 0 && !this.#starting && Date.now() >= this.#nextStartAt) {
      this.#starting = this.#startPart(producer, codec, header.payloadType).finally(() => {
        this.#starting = undefined;
      });
    }
  }

  /**
   * When the GOP's keyframe was sent, as this packet tells it: its arrival less its RTP time
   * after the keyframe (90 kHz for H.264 and VP8: RFC 6184 §8.1, RFC 7741 §6.1). Packets that
   * waited somewhere (a burst when a publisher connects) tell a later time; the least over
   * the packets is the closest, so a segment's time is where it was filmed, not where it arrived.
   */
  #impliedStart(timestamp: number, arrival: number): number {
    this.#clock.ticks += (timestamp - this.#clock.last) | 0; // signed 32-bit difference: survives wrap-around
    this.#clock.last = timestamp;
    return arrival - this.#clock.ticks / 90;
  }

  async #startPart(producer: Producer, codec: RecordedCodec, payloadType: number): Promise<void> {
    this.#nextStartAt = Date.now() + RESTART_BACKOFF_MS;
    const partNo = ++this.#partNo;
    const before = this.#partsDone.at(-1) ?? Promise.resolve();
    let part: RecordingPart;
    try {
      part = await RecordingPart.start({
        ffmpegPath: this.deps.ffmpegPath,
        dir: this.dir,
        part: partNo,
        codec,
        payloadType,
        segmentSeconds: this.deps.segmentSeconds,
        log: this.#log,
        onSegment: async (segment) => {
          await before;
          await this.#index(partNo, segment);
        },
      });
    } catch (err) {
      this.#log.error({ err }, 'recording: ffmpeg could not start');
      return;
    }
    this.#partsDone.push(part.done);
    if (this.#state === 'ended' || this.#producer !== producer || part.exited) {
      await part.stop(); // stopped, or the publisher left while ffmpeg started
      return;
    }
    this.#part = part;
    part.sendBacklog(this.#gop, this.#gopAnchor);
    this.#gop = [];
    this.#gopBytes = 0;
    this.#state = 'recording';
    void part.done.then(() => {
      if (this.#part !== part) return;
      this.#part = undefined; // ended by itself: the next keyframe starts a new part
      this.#keyFrameSeen = false;
      if (this.#state === 'recording') this.#state = 'waiting';
    });
    this.#log.info({ part: partNo, codec }, 'recording: ffmpeg part started');
    if (!this.#codecSaved) {
      this.#codecSaved = true;
      await setRecordingCodec(this.deps.db, this.id, codec === 'h264' ? 'video/H264' : 'video/VP8', codec !== 'h264').catch((err: unknown) => this.#log.error({ err }, 'recording: codec not saved'));
    }
  }

  /** Hashes a closed segment and indexes it. */
  async #index(part: number, segment: ClosedSegment): Promise<void> {
    const file = path.join(this.dir, segment.file);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const row: SegmentRow = {
      recordingId: this.id,
      seq: this.#seq++,
      part,
      startedAt: segment.startedAt,
      durationMs: segment.durationMs,
      path: path.posix.join(this.id, segment.file),
      bytes,
      sha256: hash.digest('hex'),
    };
    await insertSegment(this.deps.db, row);
    this.deps.onSegment(row);
  }

  /** Ends the recording: the running part flushes its last segment, and every segment is indexed. Safe twice. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#state = 'ended';
      this.#detach();
      await this.#starting;
      await Promise.all(this.#partsDone);
      this.#stoppedDone = true;
    })();
    return this.#stopped;
  }
}
