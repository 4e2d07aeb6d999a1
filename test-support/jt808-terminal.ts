// A JT/T 808 vehicle terminal over real TCP, its frames built and read by the hub's own codec
// (@hub/jt808): registration, authentication, heartbeats, location reports and batches, and
// whatever the platform sends back. The gateway's tests use it; the terminal simulator will.
import net from 'node:net';
import {
  encodeFrame,
  encodeMessage,
  FrameStreamDecoder,
  isKnownMessageId,
  decodeBody,
  MessageId,
  StatusBit,
  type BodyTypes,
  type DecodedBody,
  type GeneralResponse,
  type Jt808Header,
  type KnownMessageId,
  type LocationReport,
  type Registration,
  type RegistrationResponse,
} from '@hub/jt808';

export interface Jt808TerminalOptions {
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the terminal's phone number, zero-padded to 12 digits (2013) or 20 (2019) */
  phone: string;
  /** 2019: the header's version flag and protocol version 1; default 2013 */
  edition?: 2013 | 2019;
}

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
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket, opts: Jt808TerminalOptions) {
    this.#socket = socket;
    this.phone = opts.phone.padStart(opts.edition === 2019 ? 20 : 12, '0');
    this.#protocolVersion = opts.edition === 2019 ? 1 : undefined;
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const frame of this.#decoder.push(chunk)) {
        if (!frame.ok || !isKnownMessageId(frame.message.header.messageId)) {
          this.unreadable.push(frame.ok ? `message 0x${frame.message.header.messageId.toString(16)}` : frame.error.message);
          continue;
        }
        this.received.push({ ...decodeBody(frame.message), header: frame.message.header });
      }
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.once('close', () => this.#waiters.splice(0).forEach((w) => w()));
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

  /** Sends a message; resolves with its serial. */
  send<K extends KnownMessageId>(messageId: K, body: BodyTypes[K]): number {
    const { serial, bytes } = this.frame(messageId, body);
    this.write(bytes);
    return serial;
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
  response(serial: number, timeoutMs?: number): Promise<GeneralResponse> {
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
