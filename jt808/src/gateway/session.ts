// One terminal's TCP connection: frames in, answers out, and the session's state. JT/T 808-2019
// 'communication' clauses: a terminal registers once (0x0100 → 0x8100 with an authentication
// code), authenticates every connection (0x0102 → 0x8001) and sends nothing else before; the
// platform answers every message with 0x8001 (results of Table 6), the terminal's own answers
// (0x0001) excepted. A broken frame is refused and counted and the frames after it go on.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AlarmMessageSchema, type DeviceAlarm } from '@hub/config';
import type { LoginThrottle } from '@hub/platform';
import { alarmFlagsOf, type AlarmFlag } from '../alarm-flags';
import { decodeBody, encodeMessage, type BodyTypes, type DecodedBody, type KnownMessageId } from '../body';
import { Jt808Error } from '../errors';
import { hex4, type Jt808Header, type Jt808Message } from '../header';
import { GeneralResult } from '../messages/general-response';
import { MessageId } from '../messages/ids';
import { StatusBit, type LocationBatch, type LocationQueryAnswer, type LocationReport } from '../messages/location';
import { RegistrationResult } from '../messages/registration';
import { SubpackageReassembler } from '../reassembly';
import { FrameStreamDecoder } from '../stream';
import { toPosition } from '../to-position';
import type { AlarmEdges } from './alarm-edges';
import type { Jt808Metrics } from './metrics';
import type { Jt808GatewayPorts } from './ports';

export interface SessionContext {
  ports: Jt808GatewayPorts;
  metrics: Jt808Metrics;
  edges: AlarmEdges;
  /** failed authentications per source address (as MQTT logins): a code cannot be guessed at wire speed */
  throttle: LoginThrottle;
  log: Logger;
  /** this session authenticated as `unitId` (the gateway ends an older session of the unit) */
  authenticated(session: TerminalSession, unitId: string): void;
  /** the connection closed; `unitId` when it was authenticated */
  closed(session: TerminalSession, unitId: string | undefined): void;
}

/** Where the hub's own messages go: the terminal's phone number and edition, as it sent them. */
interface Addressee {
  phone: string;
  protocolVersion?: number;
}

/** messages queued or waiting for their commit past which the connection is not read (read again at half) */
const MAX_IN_FLIGHT = 64;

/** The terminal's answer to a platform message: its general response 0x0001, or 0x0201 to a position query. */
export type TerminalAnswer = { kind: 'response'; result: number } | { kind: 'position'; report: LocationReport; stored: boolean };

interface PendingRequest {
  messageId: number;
  settle(answer: TerminalAnswer): void;
  fail(err: Error): void;
}

/** A request the terminal did not answer in time, or whose connection closed first (`disconnected`). */
export class NoAnswerError extends Error {
  constructor(
    message: string,
    readonly disconnected = false,
  ) {
    super(message);
  }
}

/** how many times an unanswered platform message is sent again */
const RETRANSMISSIONS = 2;

export class TerminalSession {
  readonly #decoder = new FrameStreamDecoder();
  readonly #reassembler = new SubpackageReassembler({ maxPending: 4 });
  /** the platform's serial numbers (WORD, wrapping) */
  #serial = 0;
  #unitId: string | undefined;
  #addressee: Addressee | undefined;
  /** messages are handled one after another: an authentication must be done before the position behind it */
  #queue: Promise<void> = Promise.resolve();
  /** messages waiting in the queue, and reports waiting for their commit */
  #inFlight = 0;
  /** the platform's messages waiting for the terminal's answer, by their serial (the answer's "reply serial") */
  readonly #pending = new Map<number, PendingRequest>();
  readonly #log: Logger;

  constructor(
    readonly socket: Socket,
    private readonly ctx: SessionContext,
    idleTimeoutMs: number,
  ) {
    this.#log = ctx.log.child({ remote: `${socket.remoteAddress}:${socket.remotePort}` });
    // a terminal that stops sending (heartbeats included) is gone: its unit goes offline
    socket.setTimeout(idleTimeoutMs, () => {
      this.#log.info({ unitId: this.#unitId, idleTimeoutMs }, 'JT/T 808 terminal silent past the idle timeout; closing its connection');
      socket.destroy();
    });
    socket.on('data', (chunk) => this.#received(chunk));
    socket.on('error', (err) => this.#log.debug({ err: err.message, unitId: this.#unitId }, 'JT/T 808 connection error'));
    socket.once('close', () => {
      for (const p of this.#pending.values()) p.fail(new NoAnswerError('the terminal disconnected before it answered', true));
      this.#pending.clear();
      this.ctx.closed(this, this.#unitId);
    });
  }

  /** The unit this connection authenticated as. */
  get unitId(): string | undefined {
    return this.#unitId;
  }

  /** The terminal's phone number as it sends it (once it has sent a whole message). */
  get phone(): string | undefined {
    return this.#addressee?.phone;
  }

  close(): void {
    this.socket.destroy();
  }

  /** 0x8203 manual alarm confirmation (JT/T 808-2019 Table 30): the platform handled these alarm bits; serial 0 = every report of them. */
  confirmAlarms(bits: number): void {
    if (this.#addressee) this.#send(this.#addressee, MessageId.AlarmConfirmation, { alarmSerial: 0, alarmTypes: bits });
  }

  /**
   * Sends a platform message the terminal answers (a text 0x8300 with 0x0001, a position query
   * 0x8201 with 0x0201), matched by the answer's reply serial (JT/T 808-2019 Tables 5 and 27).
   * Unanswered, it is sent again with the same serial by JT/T 808's retransmission rule
   * (T(n+1) = T(n) × (n+1), the rule terminals follow with parameters 0x0002/0x0003):
   * RETRANSMISSIONS times, T chosen so that the last wait ends at `timeoutMs` (60 s: sent at 0,
   * 10 and 30 s, given up at 60 s). Rejects with NoAnswerError after
   * `timeoutMs`, or when the connection closes first.
   */
  request<K extends KnownMessageId>(messageId: K, body: BodyTypes[K], timeoutMs: number): Promise<TerminalAnswer> {
    const addressee = this.#addressee;
    if (!addressee || this.socket.destroyed) return Promise.reject(new NoAnswerError('the terminal is not connected', true));
    return new Promise((resolve, reject) => {
      const serial = this.#send(addressee, messageId, body);
      // waits T, 2T, 3T: 6T in all
      const first = timeoutMs / (((RETRANSMISSIONS + 1) * (RETRANSMISSIONS + 2)) / 2);
      let sent = 1;
      const wait = () => {
        timer = setTimeout(() => {
          if (sent <= RETRANSMISSIONS && !this.socket.destroyed) {
            sent++;
            this.ctx.metrics.retransmitted.inc({ message: hex4(messageId) });
            this.#write(addressee, messageId, serial, body);
            return wait();
          }
          this.#pending.delete(serial);
          reject(new NoAnswerError(`the terminal did not answer 0x${hex4(messageId)} within ${Math.round(timeoutMs / 1000)} s (sent ${sent} times)`));
        }, first * sent);
      };
      let timer: NodeJS.Timeout;
      wait();
      const done = () => (clearTimeout(timer), this.#pending.delete(serial));
      this.#pending.set(serial, { messageId, settle: (a) => (done(), resolve(a)), fail: (err) => (done(), reject(err)) });
    });
  }

  #received(chunk: Buffer): void {
    for (const frame of this.#decoder.push(chunk)) {
      if (!frame.ok) {
        // the header cannot be trusted: nothing to answer, only counted
        this.#refuse(frame.error.reason, frame.error.message);
        continue;
      }
      let whole: Jt808Message | undefined;
      try {
        whole = this.#reassembler.add(frame.message);
      } catch (err) {
        if (!(err instanceof Jt808Error)) throw err;
        this.#refuse(err.reason, err.message);
        this.#answer(frame.message.header, GeneralResult.badMessage);
        continue;
      }
      if (!whole) continue;
      const message = whole;
      this.#took();
      this.#queue = this.#queue
        .then(() => this.#handle(message))
        .catch((err: unknown) => this.#log.error({ err, unitId: this.#unitId }, 'JT/T 808 message handling failed'))
        .finally(() => this.#done());
    }
    for (const gone of this.#reassembler.expire()) this.#refuse('bad_subpackage', `message 0x${hex4(gone.messageId)} given up: part(s) ${gone.missing.join(', ')} of ${gone.total} never came`);
  }

  async #handle(message: Jt808Message): Promise<void> {
    const { header } = message;
    this.ctx.metrics.messages.inc({ message: hex4(header.messageId) });
    let decoded: DecodedBody;
    try {
      decoded = decodeBody(message);
    } catch (err) {
      if (!(err instanceof Jt808Error)) throw err;
      this.#refuse(err.reason, err.message);
      // Table 6: 3 "not supported" for an id the hub does not read, 2 "message error" for a body it cannot
      return this.#answer(header, err.reason === 'unsupported_message' ? GeneralResult.notSupported : GeneralResult.badMessage);
    }
    try {
      await this.#dispatch(header, decoded);
    } catch (err) {
      // the database or the alarm service failed: "failure", so that the terminal sends it again
      this.#log.warn({ err, unitId: this.#unitId, messageId: hex4(header.messageId) }, 'JT/T 808 message not handled; answered failure');
      this.#answer(header, GeneralResult.failure);
    }
  }

  async #dispatch(header: Jt808Header, decoded: DecodedBody): Promise<void> {
    switch (decoded.messageId) {
      case MessageId.Registration:
        return this.#register(header);
      case MessageId.Authentication:
        return this.#authenticate(header, decoded.body.authCode);
      case MessageId.TerminalResponse: {
        // an answer to the hub's own message: matched to it, never answered back (Table 5)
        const { answeredSerial, answeredMessageId, result } = decoded.body;
        const pending = this.#pending.get(answeredSerial);
        if (pending?.messageId === answeredMessageId) pending.settle({ kind: 'response', result });
        return;
      }
    }
    const unitId = this.#unitId;
    if (!unitId || header.phone !== this.#addressee?.phone) {
      this.#refuse('not_authenticated', `message 0x${hex4(header.messageId)} from ${header.phone} before it authenticated (0x0102)`);
      return this.#answer(header, GeneralResult.failure);
    }
    switch (decoded.messageId) {
      case MessageId.Heartbeat:
        return this.#answer(header, GeneralResult.ok);
      case MessageId.Logout:
        return this.#logout(header, unitId);
      case MessageId.Location:
        return this.#location(header, unitId, decoded.body);
      case MessageId.LocationBatch:
        return this.#batch(header, unitId, decoded.body);
      case MessageId.LocationQueryAnswer:
        return this.#queryAnswer(unitId, decoded.body);
      default:
        // known to the codec but not (yet) taken from a terminal, e.g. 0x0201 or a platform id
        this.#refuse('unsupported_message', `message 0x${hex4(header.messageId)} is not taken from terminals`);
        return this.#answer(header, GeneralResult.notSupported);
    }
  }

  async #register(header: Jt808Header): Promise<void> {
    this.#addressee = addresseeOf(header);
    const terminal = await this.ctx.ports.terminals.find(header.phone);
    if (!terminal || terminal.disabled) {
      this.#refuse('unknown_terminal', `registration from ${header.phone}: no ${terminal ? 'enabled ' : ''}unit has this terminal phone number`);
      return void this.#send(header, MessageId.RegistrationResponse, { answeredSerial: header.serial, result: RegistrationResult.noSuchTerminal });
    }
    const authCode = await this.ctx.ports.terminals.register(terminal.unitId);
    if (authCode === undefined) {
      // Table 9 result 1: the vehicle holds a code; the admin resets it (README) for a new registration
      this.#refuse('already_registered', `registration from ${header.phone}: unit ${terminal.unitId} is registered already`);
      return void this.#send(header, MessageId.RegistrationResponse, { answeredSerial: header.serial, result: RegistrationResult.vehicleAlreadyRegistered });
    }
    this.#log.info({ unitId: terminal.unitId, phone: header.phone }, 'JT/T 808 terminal registered');
    this.#send(header, MessageId.RegistrationResponse, { answeredSerial: header.serial, result: RegistrationResult.ok, authCode });
  }

  async #authenticate(header: Jt808Header, authCode: string): Promise<void> {
    this.#addressee = addresseeOf(header);
    const address = this.socket.remoteAddress ?? 'unknown';
    const throttled = this.ctx.throttle.check(address, header.phone);
    if (!throttled.allowed) {
      // answered as any failure (result 1): the terminal retries by itself and gets in once the window has passed
      this.#refuse(
        'login_throttled',
        `authentication from ${header.phone} refused without checking the code: too many failed authentications from this ${throttled.scope === 'unit' ? 'terminal' : 'address'} (retry in ${Math.ceil(throttled.retryAfterMs / 1000)} s)`,
      );
      return this.#answer(header, GeneralResult.failure);
    }
    const terminal = await this.ctx.ports.terminals.find(header.phone);
    const check = terminal ? await this.ctx.ports.terminals.verify(terminal.unitId, authCode) : 'unknown_unit';
    if (!terminal || check !== 'ok') {
      const reason = check === 'unknown_unit' ? 'unknown_terminal' : check === 'disabled' ? 'disabled' : 'bad_auth_code';
      this.ctx.throttle.failed(address, header.phone);
      this.#refuse(reason, `authentication from ${header.phone} refused (${check})`);
      return this.#answer(header, GeneralResult.failure);
    }
    this.#unitId = terminal.unitId;
    this.#answer(header, GeneralResult.ok);
    this.ctx.authenticated(this, terminal.unitId);
  }

  async #logout(header: Jt808Header, unitId: string): Promise<void> {
    // 终端注销: the terminal gives up its registration; it registers again to come back
    await this.ctx.ports.terminals.deregister(unitId);
    this.#answer(header, GeneralResult.ok);
    this.socket.end();
  }

  #location(header: Jt808Header, unitId: string, report: LocationReport): void {
    const stored = this.#storePosition(unitId, 'jt808/0x0200', report);
    // alarms from live reports only: a bit set during a blind-area stretch is still set in the next live report
    const raised = this.ctx.edges.rising(unitId, report.alarm);
    const alarms = alarmFlagsOf(raised).map((flag) => this.ctx.ports.alarm(alarmOf(unitId, flag, report)).then(() => true));
    this.#answerWhen(header, [stored, ...alarms], () => this.ctx.edges.forget(unitId, raised));
  }

  #batch(header: Jt808Header, unitId: string, batch: LocationBatch): void {
    for (const { index, error } of batch.refused) this.#refuse(error.reason, `0x0704 item ${index}: ${error.message}`);
    const source = `jt808/0x0704/${batch.type}`;
    const stored = batch.locations.map((report) => this.#storePosition(unitId, source, report));
    if (batch.refused.length > 0) stored.push(Promise.resolve(false));
    this.#answerWhen(header, stored);
  }

  /** 0x0201: the position asked for (0x8201), stored as a live one; an answer, so not answered (Table 27). */
  #queryAnswer(unitId: string, { answeredSerial, location }: LocationQueryAnswer): void {
    const pending = this.#pending.get(answeredSerial);
    const asked = pending?.messageId === MessageId.LocationQuery ? pending : undefined;
    this.#took();
    this.#storePosition(unitId, 'jt808/0x0201', location)
      .finally(() => this.#done())
      .then(
        (stored) => asked?.settle({ kind: 'position', report: location, stored: stored && (location.status & StatusBit.fix) !== 0 }),
        (err: unknown) => {
          this.#log.warn({ err, unitId }, 'JT/T 808 position query answer not stored');
          asked?.fail(err instanceof Error ? err : new Error(String(err)));
        },
      );
  }

  /**
   * A report's position into the MQTT positions' ingest. Without a valid fix (status bit 1) it is
   * counted and not stored: its coordinates are the last fix's or zeros, which would put the
   * vehicle where it is not (README). Resolves false when refused for being malformed.
   */
  #storePosition(unitId: string, source: string, report: LocationReport): Promise<boolean> {
    try {
      const { position, fix } = toPosition(unitId, report);
      if (fix) return this.ctx.ports.units.position(unitId, source, position);
      this.#refuse('no_fix', `${source} from ${unitId}: no valid fix, not stored`);
      return Promise.resolve(true);
    } catch (err) {
      if (!(err instanceof Jt808Error)) return Promise.reject(err);
      this.#refuse(err.reason, `${source} from ${unitId}: ${err.message}`);
      return Promise.resolve(false);
    }
  }

  /** 0x8001 once all of `work` is done: ok, 2 when something was refused, 1 (send again) when storing failed. */
  #answerWhen(header: Jt808Header, work: Promise<boolean>[], onFailure?: () => void): void {
    this.#took();
    Promise.all(work)
      .finally(() => this.#done())
      .then(
        (done) => this.#answer(header, done.every(Boolean) ? GeneralResult.ok : GeneralResult.badMessage),
        (err: unknown) => {
          onFailure?.();
          this.#log.warn({ err, unitId: this.#unitId, messageId: hex4(header.messageId) }, 'JT/T 808 report not stored; answered failure so the terminal sends it again');
          this.#answer(header, GeneralResult.failure);
        },
      );
  }

  /**
   * A terminal that sends faster than the hub stores (or a flood) is read no further until the
   * hub catches up: TCP then slows it, as a backlogged MQTT unit's connection is held.
   */
  #took(): void {
    if (++this.#inFlight === MAX_IN_FLIGHT) this.socket.pause();
  }

  #done(): void {
    if (this.#inFlight-- === MAX_IN_FLIGHT / 2) this.socket.resume();
  }

  #refuse(reason: string, detail: string): void {
    this.ctx.metrics.refused.inc({ reason });
    this.#log.warn({ unitId: this.#unitId, reason, detail }, 'JT/T 808 message refused');
  }

  #answer(to: Jt808Header, result: number): void {
    this.#send(to, MessageId.PlatformResponse, { answeredSerial: to.serial, answeredMessageId: to.messageId, result });
  }

  /** Writes a message (unless the connection is gone); returns its serial. */
  #send<K extends KnownMessageId>(to: Addressee, messageId: K, body: BodyTypes[K]): number {
    const serial = this.#serial;
    this.#serial = (this.#serial + 1) & 0xffff;
    this.#write(to, messageId, serial, body);
    return serial;
  }

  #write<K extends KnownMessageId>(to: Addressee, messageId: K, serial: number, body: BodyTypes[K]): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encodeMessage({ messageId, serial, ...addresseeOf(to) }, body));
  }
}

function addresseeOf(header: Addressee): Addressee {
  return header.protocolVersion === undefined ? { phone: header.phone } : { phone: header.phone, protocolVersion: header.protocolVersion };
}

/** An alarm flag bit that turned on → the hub's alarm, as an MQTT unit would send it (`sos` for bit 0). */
function alarmOf(unitId: string, flag: AlarmFlag, report: LocationReport): DeviceAlarm {
  // a fix with coordinates that cannot be (garbage past ±90/±180) is no fix: the alarm still counts
  const fix = (report.status & StatusBit.fix) !== 0 && Math.abs(report.latitude) <= 90 && Math.abs(report.longitude) <= 180;
  return AlarmMessageSchema.parse({
    unitId,
    ts: (report.time ?? new Date()).getTime(),
    type: flag.type,
    code: flag.code,
    message: `${flag.en} / ${flag.zhCN}`,
    // without a fix the alarm takes the unit's last known position (alarms/src/device-rule.ts)
    ...(fix && { lat: report.latitude, lon: report.longitude }),
  });
}
