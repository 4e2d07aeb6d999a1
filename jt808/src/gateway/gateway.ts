// The JT/T 808 gateway: a TCP port for vehicle terminals (node:net), a session per connection
// (session.ts), and the units whose terminal is connected. A unit is online exactly while its
// authenticated session lives, as an MQTT unit while its connection does (telemetry's presence).
import net from 'node:net';
import { listenOn } from '../listen';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CommandMessage } from '@hub/config';
import { LoginThrottle } from '@hub/platform';
import { ALARM_FLAGS } from '../alarm-flags';
import type { LocationReport } from '../messages/location';
import { GeneralResult } from '../messages/general-response';
import { MessageId } from '../messages/ids';
import type { TextMessage } from '../messages/platform-commands';
import { ackOfResponse, textOfCommand, TerminalUnavailableError } from './commands';
import { AlarmEdges } from './alarm-edges';
import { createJt808Metrics, type Jt808Metrics } from './metrics';
import type { Jt808GatewayPorts, TerminalVideoPort } from './ports';
import { NoAnswerError, TerminalSession } from './session';
import { Jt1078MediaListener, type Admission } from '../media/listener';
import { createJt1078Metrics } from './metrics';
import { TerminalVideo } from './video';

export interface Jt808GatewayOptions {
  ports: Jt808GatewayPorts;
  /** the hub's Prometheus registry (/metrics) */
  registry: Registry;
  log: Logger;
  /** a connection silent for this long is closed, seconds; default 180 */
  idleTimeoutSeconds?: number;
  /** how long a terminal has to answer a command's text with 0x0001, seconds; default 60 */
  commandAnswerSeconds?: number;
  /** failed authentications tolerated per source address, as for MQTT logins (config `mqtt.loginFailures`); default 10 per terminal, 100 per address, in 60 s */
  loginFailures?: { perUnit: number; perAddress: number; windowSeconds: number };
  /** the media server's address a terminal dials for video (0x9101); default the address its JT/T 808 connection came in on */
  mediaAddress?: string;
}

/** A command's text on its way to a terminal. */
interface Queued {
  commandId: string;
  text: TextMessage;
}

const CONFIRMABLE = new Map(ALARM_FLAGS.filter((f) => f.clearedByConfirmation).map((f) => [f.code, f.bit]));

export class Jt808Gateway {
  readonly #ports: Jt808GatewayPorts;
  readonly #log: Logger;
  readonly #metrics: Jt808Metrics;
  readonly #idleTimeoutMs: number;
  readonly #edges = new AlarmEdges();
  readonly #connections = new Set<TerminalSession>();
  /** by unit id: its authenticated session (a newer one takes over) */
  readonly #sessions = new Map<string, TerminalSession>();
  /** alarm bits handled while the unit's terminal was away: confirmed when it authenticates */
  readonly #unconfirmed = new Map<string, number>();
  /** units whose terminal authenticated since the start: only theirs wait for a confirmation (an MQTT unit's alarm code may match a flag's) */
  readonly #terminals = new Set<string>();
  /**
   * told when a terminal authenticates: the hub's durable command outbox (hub/src/command-outbox.ts)
   * then sends what waits for it. The gateway keeps no commands of its own: a text to a terminal
   * that is away, or connected to another hub, waits in that outbox.
   */
  readonly #terminalReady = new Set<(unitId: string) => void>();
  readonly #commandAnswerMs: number;
  readonly #throttle: LoginThrottle;
  readonly #throttleSweep: NodeJS.Timeout;
  /** JT/T 1078 live video: the channels asked for (0x9101) and the media port's listener */
  readonly #video: TerminalVideo;
  #server: net.Server | undefined;
  #closed = false;

  constructor(opts: Jt808GatewayOptions) {
    this.#ports = opts.ports;
    this.#log = opts.log;
    this.#metrics = createJt808Metrics(opts.registry);
    this.#idleTimeoutMs = (opts.idleTimeoutSeconds ?? 180) * 1000;
    this.#commandAnswerMs = (opts.commandAnswerSeconds ?? 60) * 1000;
    const limits = opts.loginFailures ?? { perUnit: 10, perAddress: 100, windowSeconds: 60 };
    this.#throttle = new LoginThrottle({ perUnit: limits.perUnit, perAddress: limits.perAddress, windowMs: limits.windowSeconds * 1000 });
    this.#throttleSweep = setInterval(() => this.#throttle.sweep(), limits.windowSeconds * 1000);
    this.#throttleSweep.unref();
    this.#video = new TerminalVideo({
      log: opts.log,
      mediaAddress: opts.mediaAddress,
      answerMs: this.#commandAnswerMs,
      commandAck: (unitId, ack) => this.#ports.commandAck(unitId, ack),
      listener: new Jt1078MediaListener({ admit: (sim, channel) => this.#admit(sim, channel), metrics: createJt1078Metrics(opts.registry), log: opts.log.child({ module: 'jt1078' }) }),
    });
  }

  /** Listens for terminals' JT/T 1078 streams (the port 0x9101 names); resolves with the port. */
  listenMedia(host: string, port: number): Promise<number> {
    return this.#video.listen(host, port);
  }

  /** Where admitted streams go: the hub's SFU (set by the media role; without it streams are refused, no_media). */
  useVideo(port: TerminalVideoPort | undefined): void {
    this.#video.port = port;
  }

  /** A stream's first packet named this SIM and channel: a terminal with a session, asked for that channel. */
  async #admit(sim: string, channel: number): Promise<Admission> {
    // Table 19's SIM is BCD[6]: a 2019 terminal's 20-digit number is matched by its last 12 digits
    const found = [...this.#sessions].find(([, s]) => s.phone !== undefined && s.phone.padStart(12, '0').slice(-12) === sim);
    if (!found) return { refused: 'unknown_stream', why: `no terminal with SIM ${sim} is connected` };
    return this.#video.admit(found[0], channel);
  }

  /** Listens for terminals; resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    const server = net.createServer((socket) => this.#accept(socket));
    this.#server = server;
    return listenOn(server, host, port);
  }

  get listening(): boolean {
    return this.#server?.listening ?? false;
  }

  /** Units with an authenticated session. */
  get connectedUnits(): number {
    return this.#sessions.size;
  }

  isConnected(unitId: string): boolean {
    return this.#sessions.has(unitId);
  }

  /** The ids of the units whose terminal has a session here. */
  unitIds(): string[] {
    return [...this.#sessions.keys()];
  }

  /** Ends the unit's session (its code rotated, the unit disabled); it must authenticate again. */
  disconnectUnit(unitId: string, reason: string): boolean {
    const session = this.#sessions.get(unitId);
    if (!session) return false;
    this.#log.info({ unitId, reason }, 'JT/T 808 terminal disconnected by the hub');
    session.close();
    return true;
  }

  /** The unit changed: a session whose terminal is no longer this enabled unit's ends. */
  async recheck(unitId: string): Promise<void> {
    const session = this.#sessions.get(unitId);
    if (!session?.phone) return;
    const terminal = await this.#ports.terminals.find(session.phone);
    if (!terminal || terminal.unitId !== unitId || terminal.disabled) this.disconnectUnit(unitId, 'unit disabled or given another terminal');
  }

  /**
   * An operator handled (acknowledged) the unit's alarm with this code: a flag the terminal keeps
   * set until the platform confirms it (JT/T 808-2019 Table 24, e.g. the emergency bit) is
   * confirmed with 0x8203, now or when the terminal next authenticates.
   */
  alarmHandled(unitId: string, code: string): void {
    const bit = CONFIRMABLE.get(code);
    if (bit === undefined) return;
    const session = this.#sessions.get(unitId);
    if (session) session.confirmAlarms((1 << bit) >>> 0);
    else if (this.#terminals.has(unitId)) this.#unconfirmed.set(unitId, ((this.#unconfirmed.get(unitId) ?? 0) | (1 << bit)) >>> 0);
  }

  /** Calls `listener` each time a terminal authenticates here (a new session: what waits for it is sent). */
  onTerminalReady(listener: (unitId: string) => void): () => void {
    this.#terminalReady.add(listener);
    return () => this.#terminalReady.delete(listener);
  }

  /**
   * A hub command to the unit's terminal: a dispatch or a message as a text 0x8300 (commands.ts;
   * anything else throws TerminalCommandUnsupportedError). Resolves once written; 409
   * HUB_ERR_UNIT_OFFLINE when the terminal has no session here (the hub's outbox keeps it). Its
   * 0x0001 answer comes back as the unit's cmd/ack (`ports.commandAck`): delivery, never a
   * person's acceptance.
   */
  sendCommand(unitId: string, command: CommandMessage): Promise<void> {
    if (command.type === 'stream.start' || command.type === 'stream.stop') {
      const session = this.#sessions.get(unitId);
      if (!session)
        throw new TerminalUnavailableError(
          'HUB_ERR_UNIT_OFFLINE',
          409,
          `unit ${unitId}'s terminal is not connected, so its camera cannot be ${command.type === 'stream.start' ? 'started' : 'stopped'}`,
        );
      return command.type === 'stream.start' ? this.#video.start(session, unitId, command) : this.#video.stop(session, unitId, command);
    }
    const text = textOfCommand(unitId, command);
    const session = this.#sessions.get(unitId);
    if (!session) throw new TerminalUnavailableError('HUB_ERR_UNIT_OFFLINE', 409, `unit ${unitId}'s terminal is not connected here, so the text waits for it`);
    this.#sendText(session, unitId, { commandId: command.id, text });
    return Promise.resolve();
  }

  /**
   * Position query 0x8201 (JT/T 808-2019 8.26): resolves with the terminal's 0x0201 report once
   * its position is stored through ingest (`stored` false when it had no fix). 409
   * HUB_ERR_UNIT_OFFLINE when the terminal is not connected, 504 HUB_ERR_JT808_NO_ANSWER when it
   * does not answer within `timeoutMs`.
   */
  async queryPosition(unitId: string, timeoutMs: number): Promise<{ report: LocationReport; stored: boolean }> {
    const session = this.#sessions.get(unitId);
    if (!session) throw new TerminalUnavailableError('HUB_ERR_UNIT_OFFLINE', 409, `unit ${unitId}'s terminal is not connected, so it cannot be asked where it is`);
    let answer;
    try {
      answer = await session.request(MessageId.LocationQuery, {}, timeoutMs);
    } catch (err) {
      if (!(err instanceof NoAnswerError)) throw err;
      throw new TerminalUnavailableError('HUB_ERR_JT808_NO_ANSWER', 504, `unit ${unitId}'s terminal did not answer the position query: ${err.message}`);
    }
    if (answer.kind === 'position') return answer;
    throw new TerminalUnavailableError('HUB_ERR_JT808_NO_ANSWER', 504, `unit ${unitId}'s terminal answered the position query with 0x0001 result ${answer.result} instead of its position`);
  }

  #sendText(session: TerminalSession, unitId: string, queued: Queued): void {
    const { commandId, text } = queued;
    session.request(MessageId.TextMessage, text, this.#commandAnswerMs).then(
      (answer) => this.#ports.commandAck(unitId, ackOfResponse(commandId, answer.kind === 'response' ? answer.result : GeneralResult.failure)),
      (err: unknown) => {
        // Cut off or not answered: the hub's outbox keeps the command until an answer, and sends it
        // again at the terminal's next authentication, as QoS 1 is (a terminal may show it twice).
        this.#log.warn({ unitId, commandId, err: (err as Error).message }, 'JT/T 808 text message not answered; sent again when the terminal next authenticates');
      },
    );
  }

  /** Stops listening and closes every connection. Units are not marked offline (the next start does). Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#throttleSweep);
    const server = this.#server;
    const stopped = new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    for (const session of this.#connections) session.close();
    await Promise.all([stopped, this.#video.close()]);
  }

  #accept(socket: net.Socket): void {
    if (this.#closed) return void socket.destroy();
    socket.setNoDelay(true);
    const session = new TerminalSession(
      socket,
      {
        ports: this.#ports,
        metrics: this.#metrics,
        edges: this.#edges,
        throttle: this.#throttle,
        log: this.#log,
        authenticated: (s, unitId) => this.#authenticated(s, unitId),
        closed: (s, unitId) => this.#sessionClosed(s, unitId),
      },
      this.#idleTimeoutMs,
    );
    this.#connections.add(session);
    this.#metrics.connections.set(this.#connections.size);
  }

  #authenticated(session: TerminalSession, unitId: string): void {
    const older = this.#sessions.get(unitId);
    this.#sessions.set(unitId, session);
    this.#terminals.add(unitId);
    // the terminal reconnected before its old connection timed out: the old one is a ghost
    if (older && older !== session) older.close();
    this.#metrics.sessions.set(this.#sessions.size);
    this.#ports.units.connected(unitId);
    this.#log.info({ unitId, phone: session.phone }, 'JT/T 808 terminal authenticated');
    for (const ready of this.#terminalReady) ready(unitId);
    const unconfirmed = this.#unconfirmed.get(unitId);
    if (unconfirmed !== undefined) {
      this.#unconfirmed.delete(unitId);
      session.confirmAlarms(unconfirmed);
    }
  }

  #sessionClosed(session: TerminalSession, unitId: string | undefined): void {
    this.#connections.delete(session);
    this.#metrics.connections.set(this.#connections.size);
    if (unitId === undefined || this.#sessions.get(unitId) !== session) return; // never authenticated, or taken over
    this.#sessions.delete(unitId);
    this.#video.forget(unitId);
    this.#metrics.sessions.set(this.#sessions.size);
    if (!this.#closed) this.#ports.units.disconnected(unitId);
    this.#log.info({ unitId }, 'JT/T 808 terminal disconnected');
  }
}
