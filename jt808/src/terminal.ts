// A JT/T 808 vehicle terminal over real TCP, its frames built and read by this codec:
// registration, authentication, heartbeats, location reports and batches, and whatever the
// platform sends back. It answers the platform as a terminal does: a text 0x8300 with the general
// response 0x0001, a position query 0x8201 with 0x0201 (JT/T 808-2019 8.2, 8.26), a live video
// request 0x9101 by sending its camera's test pattern to the media port named in it, 0x9102 by
// stopping it (JT/T 1078-2016; media/camera.ts). The hub's tests
// and the terminal simulator (`npm run simulate -- --protocol jt808`) both drive it.
import net from 'node:net';
import { decodeBody, encodeFrame, encodeMessage, isKnownMessageId, type BodyTypes, type DecodedBody, type KnownMessageId } from './body';
import type { Jt808Header } from './header';
import { GeneralResult, type GeneralResponse } from './messages/general-response';
import { MessageId } from './messages/ids';
import { BatchType, StatusBit, type LocationReport } from './messages/location';
import type { TextMessage } from './messages/platform-commands';
import type { Registration, RegistrationResponse } from './messages/registration';
import { FrameStreamDecoder } from './stream';
import { TerminalCamera } from './media/camera';
import { AvControl, AvDataType, type LiveVideoRequest } from './messages/live-video';

export interface Jt808TerminalOptions {
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the terminal's phone number, zero-padded to 12 digits (2013) or 20 (2019) */
  phone: string;
  /** 2019: the header's version flag and protocol version 1; default 2013 */
  edition?: 2013 | 2019;
  /**
   * the 0x0001 result it answers a text message 0x8300 with (GeneralResult); null: it does not
   * answer (a terminal that is busy, or a test of a text not yet delivered); default ok
   */
  textResult?: number | null;
  /** where it is when the platform asks (0x8201); default its last report, else locationReport(); null: it does not answer */
  whereAmI?: (() => LocationReport) | null;
  /** a text message arrived (after it is answered) */
  onText?: (text: TextMessage) => void;
  /** keep every platform message in `received` (tests read them); false for a long-running simulator, which keeps only the last texts; default true */
  record?: boolean;
  /** its cameras' logical channels: 0x9101 for another is answered 0x0001 failure; default [1, 2] */
  channels?: number[];
  /** picture size and rate of its cameras' test pattern; default 320x240 at 15 fps */
  videoSize?: string;
  videoFps?: number;
}

/** what it answers by itself, not kept when not recording everything */
const ANSWERED_BY_ITSELF = new Set<number>([MessageId.TextMessage, MessageId.LocationQuery, MessageId.LiveVideoRequest, MessageId.LiveVideoControl]);

/** texts kept when not recording everything */
const LAST_TEXTS = 20;

/** A message the platform sent, decoded. */
export type PlatformMessage = DecodedBody & { header: Jt808Header };

/** A location report with sensible defaults: a valid fix in Shenzhen, now, no alarm. */
export function locationReport(over: Partial<LocationReport> = {}): LocationReport {
  return {
    alarm: 0,
    status: StatusBit.fix | StatusBit.acc,
    latitude: 22.5431,
    longitude: 114.0579,
    altitude: 12,
    speedKmh: 36,
    direction: 90,
    time: new Date(Math.floor(Date.now() / 1000) * 1000),
    items: [],
    ...over,
  };
}

export const TEST_REGISTRATION: Registration = {
  edition: 2013,
  province: 44,
  city: 300,
  manufacturer: 'HUB01',
  model: 'SIM-808',
  terminalId: 'T000001',
  plateColour: 2,
  plate: '粤B12345',
};

export class Jt808Terminal {
  readonly phone: string;
  readonly #protocolVersion: number | undefined;
  readonly #socket: net.Socket;
  readonly #decoder = new FrameStreamDecoder();
  #serial = 0;
  /** every message the platform sent, in order */
  readonly received: PlatformMessage[] = [];
  /** frames from the platform the codec refused (a test expects none) */
  readonly unreadable: string[] = [];
  /** text messages (0x8300) the platform sent, as shown on the terminal's display */
  readonly texts: TextMessage[] = [];
  /** the last location report it sent */
  lastReport: LocationReport | undefined;
  textResult: number | null;
  readonly #whereAmI: (() => LocationReport) | null | undefined;
  readonly #record: boolean;
  readonly #onText: ((text: TextMessage) => void) | undefined;
  /** general responses awaited by serial (without recording) */
  readonly #responses = new Map<number, (r: GeneralResponse | undefined) => void>();
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;
  /** cameras sending now, by logical channel (0x9101 starts one, 0x9102 stops it) */
  readonly cameras = new Map<number, TerminalCamera>();
  readonly #channels: number[];
  readonly #video: { size?: string; fps?: number };

  private constructor(socket: net.Socket, opts: Jt808TerminalOptions) {
    this.#socket = socket;
    this.phone = opts.phone.padStart(opts.edition === 2019 ? 20 : 12, '0');
    this.#protocolVersion = opts.edition === 2019 ? 1 : undefined;
    this.textResult = opts.textResult === undefined ? GeneralResult.ok : opts.textResult;
    this.#whereAmI = opts.whereAmI;
    this.#record = opts.record ?? true;
    this.#onText = opts.onText;
    this.#channels = opts.channels ?? [1, 2];
    this.#video = { size: opts.videoSize, fps: opts.videoFps };
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const frame of this.#decoder.push(chunk)) {
        if (!frame.ok || !isKnownMessageId(frame.message.header.messageId)) {
          this.unreadable.push(frame.ok ? `message 0x${frame.message.header.messageId.toString(16)}` : frame.error.message);
          continue;
        }
        const message: PlatformMessage = { ...decodeBody(frame.message), header: frame.message.header };
        if (this.#record) this.received.push(message);
        else if (message.messageId === MessageId.PlatformResponse) this.#responses.get(message.body.answeredSerial)?.(message.body);
        // the rare ones (registration answers, alarm confirmations) are kept; texts, queries and video requests are answered below
        else if (!ANSWERED_BY_ITSELF.has(message.messageId)) this.received.push(message);
        this.#answerPlatform(message);
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.once('close', () => {
      for (const camera of this.cameras.values()) void camera.stop();
      this.#waiters.splice(0).forEach((w) => w());
      for (const w of this.#responses.values()) w(undefined);
    });
  }

  static connect(opts: Jt808TerminalOptions): Promise<Jt808Terminal> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port }, () => {
        socket.off('error', reject);
        resolve(new Jt808Terminal(socket, opts));
      });
      socket.once('error', reject);
    });
  }

  /** One frame of this terminal (its phone, edition and next serial), not sent: to send it whole, in pieces or broken. */
  frame<K extends KnownMessageId>(messageId: K, body: BodyTypes[K]): { serial: number; bytes: Buffer } {
    const serial = this.#nextSerial();
    return { serial, bytes: encodeMessage({ messageId, phone: this.phone, serial, ...this.#version() }, body) };
  }

  /** A frame of a message id the codec does not know, with raw body bytes. */
  rawFrame(messageId: number, body: Buffer): { serial: number; bytes: Buffer } {
    const serial = this.#nextSerial();
    return { serial, bytes: encodeFrame({ header: { messageId, phone: this.phone, serial, encryption: 0, ...this.#version() }, body }) };
  }

  write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** Sends a message; returns its serial. */
  send<K extends KnownMessageId>(messageId: K, body: BodyTypes[K]): number {
    const { serial, bytes } = this.frame(messageId, body);
    if (messageId === MessageId.Location) this.lastReport = body as LocationReport;
    if (!this.#socket.destroyed) this.write(bytes);
    return serial;
  }

  #awaitResponse(serial: number, timeoutMs: number): Promise<GeneralResponse> {
    if (this.#socket.destroyed) return Promise.reject(new Error('the platform closed the connection'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(undefined, `no answer to message ${serial} within ${timeoutMs} ms`), timeoutMs);
      const settle = (r: GeneralResponse | undefined, why = 'the platform closed the connection') => {
        clearTimeout(timer);
        this.#responses.delete(serial);
        if (r) resolve(r);
        else reject(new Error(why));
      };
      this.#responses.set(serial, settle);
    });
  }

  /** What a terminal answers by itself: a text is shown and acknowledged, a position query answered. */
  #answerPlatform(m: PlatformMessage): void {
    if (m.messageId === MessageId.TextMessage) {
      this.texts.push(m.body);
      if (!this.#record && this.texts.length > LAST_TEXTS) this.texts.shift();
      if (this.textResult !== null) this.send(MessageId.TerminalResponse, { answeredSerial: m.header.serial, answeredMessageId: m.messageId, result: this.textResult });
      this.#onText?.(m.body);
    } else if (m.messageId === MessageId.LiveVideoRequest) {
      void this.#startCamera(m.header.serial, m.body);
    } else if (m.messageId === MessageId.LiveVideoControl) {
      if (m.body.command === AvControl.close) void this.cameras.get(m.body.channel)?.stop();
      this.#respond(m, GeneralResult.ok);
    } else if (m.messageId === MessageId.LocationQuery && this.#whereAmI !== null) {
      const location = this.#whereAmI?.() ?? this.lastReport ?? locationReport();
      this.send(MessageId.LocationQueryAnswer, { answeredSerial: m.header.serial, location });
    }
  }

  /** 0x9101: answered at once (0x0001), then the camera dials the media port; a channel it has not is answered failure. */
  async #startCamera(serial: number, request: LiveVideoRequest): Promise<void> {
    const { channel } = request;
    const has = this.#channels.includes(channel);
    this.send(MessageId.TerminalResponse, { answeredSerial: serial, answeredMessageId: MessageId.LiveVideoRequest, result: has ? GeneralResult.ok : GeneralResult.failure });
    if (!has || this.cameras.has(channel)) return;
    try {
      const audio = request.dataType === AvDataType.audioVideo || request.dataType === AvDataType.listen;
      const camera = await TerminalCamera.start({ host: request.serverAddress, port: request.tcpPort, sim: this.phone, channel, audio, ...this.#video });
      this.cameras.set(channel, camera);
      void camera.closed.then(() => this.cameras.get(channel) === camera && this.cameras.delete(channel));
    } catch {
      // the media port is not there: a real terminal gives up too, and the platform's start times out
    }
  }

  #respond(m: PlatformMessage, result: number): void {
    this.send(MessageId.TerminalResponse, { answeredSerial: m.header.serial, answeredMessageId: m.messageId, result });
  }

  /** The first platform message (from `after` on) that `match` picks; rejects after `timeoutMs` or when the connection closes. */
  async next<T>(match: (m: PlatformMessage) => T | undefined, timeoutMs = 15_000, after = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const m of this.received.slice(after)) {
        const found = match(m);
        if (found !== undefined) return found;
      }
      if (this.#socket.destroyed) throw new Error('the platform closed the connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching platform message within ${timeoutMs} ms; received ${this.received.map((m) => m.messageId.toString(16)).join(', ')}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.#waiters.push(() => (clearTimeout(timer), r()));
      });
    }
  }

  /** The platform's general response 0x8001 to the message with this serial. */
  response(serial: number, timeoutMs = 15_000): Promise<GeneralResponse> {
    if (!this.#record) return this.#awaitResponse(serial, timeoutMs);
    return this.next((m) => (m.messageId === MessageId.PlatformResponse && m.body.answeredSerial === serial ? m.body : undefined), timeoutMs);
  }

  async register(registration: Registration = TEST_REGISTRATION): Promise<RegistrationResponse> {
    const serial = this.send(MessageId.Registration, this.#protocolVersion === undefined ? registration : { ...registration, edition: 2019 });
    return this.next((m) => (m.messageId === MessageId.RegistrationResponse && m.body.answeredSerial === serial ? m.body : undefined));
  }

  authenticate(authCode: string): Promise<GeneralResponse> {
    return this.response(this.send(MessageId.Authentication, this.#protocolVersion === undefined ? { authCode } : { authCode, imei: '860000000000001', softwareVersion: 'hub-test' }));
  }

  location(over: Partial<LocationReport> = {}): Promise<GeneralResponse> {
    return this.response(this.send(MessageId.Location, locationReport(over)));
  }

  /** 0x0704 type 1: positions stored while out of coverage, sent late; resolves with the platform's answer (after the commit). */
  blindArea(locations: LocationReport[]): Promise<GeneralResponse> {
    return this.response(this.send(MessageId.LocationBatch, { type: BatchType.blindArea, locations, refused: [] }));
  }

  heartbeat(): Promise<GeneralResponse> {
    return this.response(this.send(MessageId.Heartbeat, {}));
  }

  /** Closes the connection (FIN); resolves once closed. */
  async close(): Promise<void> {
    this.#socket.end();
    await this.closed;
  }

  #nextSerial(): number {
    const serial = this.#serial;
    this.#serial = (this.#serial + 1) & 0xffff;
    return serial;
  }

  #version(): { protocolVersion?: number } {
    return this.#protocolVersion === undefined ? {} : { protocolVersion: this.#protocolVersion };
  }
}
