// One recording while it runs: follows its stream id from producer to producer, feeds each
// producer's RTP (video, and its audio) to an ffmpeg part from a keyframe, indexes every
// closed segment, and notices a part that writes nothing: it raises a stall and starts
// ffmpeg again from the next keyframe.
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
  /** no segment for this long while a publisher is there is a stall, ms */
  stallAfterMs: number;
  /** called once per stall (again only after a segment has come since) */
  onStall: (stall: SessionStall) => void;
}

export interface SessionStall {
  /** how long no segment came while the publisher was there, ms */
  silentMs: number;
  /** segments indexed so far */
  segments: number;
  /** whether an ffmpeg was running (and is now stopped); false: no keyframe came to start one */
  partRunning: boolean;
}

/** the GOP kept while no ffmpeg runs, so a part begins at the last keyframe */
const MAX_GOP_PACKETS = 4000;
const MAX_GOP_BYTES = 8 * 1024 * 1024;
/** a part that ended by itself is not restarted sooner than this, ms */
const RESTART_BACKOFF_MS = 1000;
/** a stalled part is given this long to close what it wrote before it is killed, ms */
const STALLED_PART_STOP_MS = 2000;
/** audio kept while no ffmpeg runs, so a part's sound begins with its first keyframe, ms */
const AUDIO_BACKLOG_MS = 10_000;
/**
 * How long a publisher that negotiated audio is given, from the moment it is followed, for its
 * first audio packet before a part starts with video only. Video and audio start together but
 * either may arrive first; the GOP is kept meanwhile, so no picture is lost by waiting, ms.
 */
const AUDIO_GRACE_MS = 1500;

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
  #untapAudio: (() => void) | undefined;
  /** audio packets (with their arrival, epoch ms) heard while no part runs */
  #audioBacklog: { at: number; packet: Buffer }[] = [];
  #audioPayloadType: number | undefined;
  /** when the publisher was followed (the audio grace runs from it), epoch ms */
  #attachedAt = 0;
  /** audio came while the running part records none: the next keyframe starts a part with sound */
  #audioLate = false;
  /** when the last segment was indexed, or the publisher came (the stall clock), epoch ms */
  #progressAt = Date.now();
  #stalled = false;

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
  follow(producer: Producer | undefined, now = Date.now()): void {
    if (this.#state === 'ended') return;
    if (producer && producer !== this.#producer && !producer.closed) this.#attach(producer);
    // until a keyframe arrives (or one to start a part with the late sound), ask for one (the engine sends at most one PLI a second)
    if (this.#producer && (!this.#keyFrameSeen || this.#audioLate)) this.#producer.requestKeyFrame();
    this.#checkStall(now);
  }

  /**
   * A publisher is there but no segment came for `stallAfterMs`: ffmpeg hangs, or gets
   * nothing it can cut. Raised once, then ffmpeg is stopped (killed if it does not finish)
   * and a new one starts from the next keyframe, asked of the publisher (PLI).
   */
  #checkStall(now: number): void {
    if (!this.#producer) {
      this.#progressAt = now; // waiting for a publisher is not a stall
      return;
    }
    const silentMs = now - this.#progressAt;
    if (silentMs < this.deps.stallAfterMs) return;
    this.#progressAt = now; // the next try gets as long again
    const partRunning = this.#part !== undefined;
    this.#log.warn({ silentMs, segments: this.#seq, partRunning }, 'recording: no segment written; starting ffmpeg again from the next keyframe');
    if (!this.#stalled) {
      this.#stalled = true;
      this.deps.onStall({ silentMs, segments: this.#seq, partRunning });
    }
    const part = this.#part;
    this.#part = undefined;
    this.#keyFrameSeen = false;
    this.#gop = [];
    this.#gopBytes = 0;
    this.#nextStartAt = 0;
    if (this.#state === 'recording') this.#state = 'waiting';
    if (part) void part.stop(STALLED_PART_STOP_MS);
    this.#producer.requestKeyFrame();
  }

  #attach(producer: Producer): void {
    this.#detach();
    this.#producer = producer;
    this.#keyFrameSeen = false;
    this.#untap = producer.onRtp((packet) => this.#onPacket(producer, packet));
    const audio = producer.audio;
    if (audio && audio.mimeType?.toLowerCase() === 'audio/opus') this.#untapAudio = audio.onRtp((packet) => this.#onAudioPacket(packet));
    this.#progressAt = Date.now();
    this.#attachedAt = Date.now();
    this.#audioLate = false;
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
    this.#untapAudio?.();
    if (this.#onProducerClose) producer.off('close', this.#onProducerClose);
    this.#producer = undefined;
    this.#untap = undefined;
    this.#untapAudio = undefined;
    this.#audioBacklog = [];
    this.#audioPayloadType = undefined;
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
    const key = isKeyFrameStart(codec, packet, header);
    if (part && !part.exited) {
      if (header.payloadType !== part.payloadType) return;
      if (!(key && this.#audioLate && !part.hasAudio)) {
        part.send(packet);
        part.anchor(this.#impliedStart(header.timestamp, now));
        return;
      }
      // the sound came after this part started: it ends here, and this keyframe starts one with sound
      this.#log.info({ segments: this.#seq }, "recording: the publisher's audio came; starting ffmpeg again with sound");
      this.#part = undefined;
      this.#audioLate = false;
      this.#nextStartAt = 0;
      if (this.#state === 'recording') this.#state = 'waiting';
      void part.stop();
    }
    // no ffmpeg running: keep the GOP from the last keyframe until one is
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
    if (this.#gop.length > 0 && !this.#starting && now >= this.#nextStartAt && !this.#awaitingAudio(producer, now)) {
      this.#starting = this.#startPart(producer, codec, header.payloadType).finally(() => {
        this.#starting = undefined;
      });
    }
  }

  /** The publisher negotiated audio, none has come yet, and it is early: wait for it (see AUDIO_GRACE_MS). */
  #awaitingAudio(producer: Producer, now: number): boolean {
    return producer.audio !== undefined && this.#audioPayloadType === undefined && now - this.#attachedAt < AUDIO_GRACE_MS;
  }

  /**
   * Audio goes to the running part, else waits (a few seconds of it) for the next part. Audio
   * that comes while a part without sound runs (it came late, or the publisher unmuted) ends
   * that part at the next keyframe, asked for now: the next part records it.
   */
  #onAudioPacket(packet: Buffer): void {
    if (this.#state === 'ended') return;
    const header = parseRtpHeader(packet);
    if (!header) return;
    this.#audioPayloadType ??= header.payloadType;
    if (header.payloadType !== this.#audioPayloadType) return;
    const part = this.#part;
    if (part && !part.exited && part.hasAudio) {
      part.sendAudio(packet);
      return;
    }
    if (part && !part.exited && !this.#audioLate) {
      this.#audioLate = true;
      this.#producer?.requestKeyFrame();
    }
    const now = Date.now();
    this.#audioBacklog.push({ at: now, packet });
    const keepFrom = now - AUDIO_BACKLOG_MS;
    const old = this.#audioBacklog.findIndex((a) => a.at >= keepFrom);
    if (old > 0) this.#audioBacklog.splice(0, old);
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
        // audio only when some was heard: a part told of audio that never comes would wait for it
        ...(this.#audioPayloadType !== undefined && this.#audioBacklog.length > 0 ? { audio: { payloadType: this.#audioPayloadType } } : {}),
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
    // the sound from the keyframe's moment on: both streams' first timestamps are the same instant
    const anchor = this.#gopAnchor;
    part.sendBacklog(
      this.#gop,
      anchor,
      this.#audioBacklog.filter((a) => a.at >= anchor).map((a) => a.packet),
    );
    this.#gop = [];
    this.#gopBytes = 0;
    this.#audioBacklog = [];
    this.#audioLate = false;
    this.#state = 'recording';
    void part.done.then(() => {
      if (this.#part !== part) return;
      this.#part = undefined; // ended by itself: the next keyframe starts a new part
      this.#keyFrameSeen = false;
      if (this.#state === 'recording') this.#state = 'waiting';
    });
    this.#log.info({ part: partNo, codec, audio: part.hasAudio, pid: part.pid }, 'recording: ffmpeg part started');
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
    this.#progressAt = Date.now();
    if (this.#stalled) {
      this.#stalled = false;
      this.#log.info({ seq: row.seq, part }, 'recording: segments again after a stall');
    }
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
