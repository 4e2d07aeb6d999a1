// The one place that decides how a command reaches a unit: over MQTT (units/{id}/cmd, QoS 1) or,
// for a JT/T 808 vehicle terminal, through the gateway: a text message 0x8300, or for its cameras
// JT/T 1078 0x9101/0x9102 (stream.start/stop with the command's channel). Incidents
// (dispatch), cameras on demand (stream.start/stop) and the SOS status all send through it, so no
// caller asks which kind of unit it talks to.
//
// Every command but a terminal's video request goes through the durable outbox (command-outbox.ts)
// first, and is sent by whichever hub holds the unit's connection: at-least-once, until the unit
// answers. The unit tells a repeat by the command id (the edge agent answers a repeat with its
// first answer and does not run it again; a terminal shows a repeated text once more).
//
// Races, and how they close:
// - insert vs connect: a hub marks the unit as held (its MQTT subscription to units/{id}/cmd, or the
//   terminal's session) BEFORE it reads the outbox. The NOTIFY of an insert comes at its commit:
//   a commit before that read is seen by it; one after reaches a hub that already holds the unit.
// - two triggers at once on one hub (NOTIFY and a subscribe): deliveries to a unit run one after
//   the other, and a command already sent on its present connection is not sent again until the
//   unit connects anew (`#sent`, cleared on each new connection).
// - aedes's own offline queue: a command is published only to a unit whose connection here is
//   subscribed, so aedes never has to keep one for a unit that is away (we do not rely on it). An
//   unacknowledged in-flight copy it resends on a resumed session is deduplicated by id, like ours.
// - a unit with links on two hubs gets the command from both; it answers once per id.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CommandAckMessage, CommandMessage } from '@hub/config';
import type { Jt808Gateway } from '@hub/jt808';
import type { Telemetry } from '@hub/telemetry';
import { CommandOutbox, OutboxListener } from './command-outbox';

export interface UnitCommandPort {
  /** Sends a command; resolves once kept (and handed over when the unit is connected here). Its answer comes on the bus (`commandAck`). */
  sendCommand(unitId: string, command: CommandMessage): Promise<void>;
  /** The unit has a live connection (MQTT or a JT/T 808 session). */
  isConnected(unitId: string): boolean;
}

/** what a terminal takes as a text 0x8300 (the rest it is asked directly, or refuses: jt808 commands.ts) */
const TERMINAL_TEXT = new Set<CommandMessage['type']>(['dispatch', 'message']);
/** expired commands of units that never came back are dropped this often, ms */
const SWEEP_MS = 10 * 60_000;

export class UnitCommands implements UnitCommandPort {
  readonly #outbox: CommandOutbox;
  readonly #listener: OutboxListener;
  /** by unit: the commands sent on its present connection here */
  readonly #sent = new Map<string, Set<string>>();
  /** by unit: its delivery in progress, so that two never interleave */
  readonly #delivering = new Map<string, Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #sweep: NodeJS.Timeout;

  private constructor(
    private readonly db: pg.Pool,
    private readonly telemetry: Telemetry,
    /** undefined when jt808.enabled is false */
    private readonly jt808: Jt808Gateway | undefined,
    private readonly log: Logger,
  ) {
    this.#outbox = new CommandOutbox(db);
    this.#listener = new OutboxListener(
      db,
      log,
      (unitId) => this.#deliver(unitId),
      () => this.#deliverToAllHeldHere(),
    );
    this.#sweep = setInterval(() => void this.#outbox.sweep().catch((err: unknown) => log.warn({ err }, 'command outbox: expired commands not swept')), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Listens for commands kept on any hub, then takes the units' (re)connections here as the moment to send theirs. */
  static async start(db: pg.Pool, telemetry: Telemetry, jt808: Jt808Gateway | undefined, log: Logger): Promise<UnitCommands> {
    const commands = new UnitCommands(db, telemetry, jt808, log);
    await commands.#listener.start();
    const connected = (unitId: string) => {
      commands.#sent.delete(unitId); // a new connection: whatever is still unanswered goes again
      void commands.#deliver(unitId);
    };
    const onAck = ({ unitId, ack }: { unitId: string; ack: CommandAckMessage }) => commands.#answered(unitId, ack.id);
    telemetry.bus.on('commandAck', onAck);
    commands.#unsubscribe.push(telemetry.broker.onCommandsReady(connected), () => telemetry.bus.off('commandAck', onAck));
    if (jt808) commands.#unsubscribe.push(jt808.onTerminalReady(connected));
    await commands.#outbox.sweep();
    commands.#deliverToAllHeldHere(); // connections made before this started
    return commands;
  }

  isConnected(unitId: string): boolean {
    return this.telemetry.broker.isConnected(unitId) || (this.jt808?.isConnected(unitId) ?? false);
  }

  async sendCommand(unitId: string, command: CommandMessage): Promise<void> {
    // A terminal's camera is a request it answers now (JT/T 1078 0x9101/0x9102), and a command it
    // cannot take is refused at once (422): neither waits in the outbox. Only a camera request to
    // a terminal held by another hub goes through it (a stream.start lives 30 s there), so that
    // the hub holding its session asks it, naming its own media port.
    if (this.jt808 && !TERMINAL_TEXT.has(command.type) && (await this.#isTerminal(unitId))) {
      const heldElsewhere = (command.type === 'stream.start' || command.type === 'stream.stop') && !this.jt808.isConnected(unitId);
      if (!heldElsewhere) return this.jt808.sendCommand(unitId, command);
    }
    await this.#outbox.put(unitId, command);
    await this.#deliver(unitId);
  }

  /** Stops listening and sending. Safe twice. */
  close(): void {
    clearInterval(this.#sweep);
    this.#listener.close();
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  async #isTerminal(unitId: string): Promise<boolean> {
    if (this.jt808!.isConnected(unitId)) return true;
    if (this.telemetry.broker.isConnected(unitId)) return false;
    const { rows } = await this.db.query<{ terminal: boolean }>('SELECT jt808_terminal_id IS NOT NULL AS terminal FROM units WHERE id = $1', [unitId]);
    return rows[0]?.terminal ?? false;
  }

  /** Sends what waits for the unit, if its connection is here; one delivery per unit at a time. */
  #deliver(unitId: string): Promise<void> {
    const previous = this.#delivering.get(unitId) ?? Promise.resolve();
    const next = previous.then(() => this.#deliverNow(unitId)).catch((err: unknown) => this.log.warn({ err, unitId }, 'command outbox: waiting commands not sent; sent at the unit’s next connection'));
    this.#delivering.set(unitId, next);
    void next.finally(() => {
      if (this.#delivering.get(unitId) === next) this.#delivering.delete(unitId);
    });
    return next;
  }

  async #deliverNow(unitId: string): Promise<void> {
    const viaTerminal = this.jt808?.isConnected(unitId) ?? false;
    if (!viaTerminal && !this.telemetry.broker.acceptsCommands(unitId)) return; // not held here: the hub that holds it sends
    const sent = this.#sent.get(unitId) ?? new Set<string>();
    this.#sent.set(unitId, sent);
    const { commands, expired } = await this.#outbox.waiting(unitId);
    if (expired.length > 0) this.log.info({ unitId, expired }, 'commands past their lifetime dropped unsent: the unit came back too late for them');
    for (const command of commands) {
      if (sent.has(command.id)) continue;
      sent.add(command.id);
      try {
        await (viaTerminal ? this.jt808!.sendCommand(unitId, command) : this.telemetry.broker.sendCommand(unitId, command));
      } catch (err) {
        sent.delete(command.id);
        this.log.warn({ err, unitId, commandId: command.id }, 'command not handed to the unit; it waits for its next connection');
      }
    }
  }

  #deliverToAllHeldHere(): void {
    for (const unitId of new Set([...this.telemetry.broker.unitIds(), ...(this.jt808?.unitIds() ?? [])])) void this.#deliver(unitId);
  }

  #answered(unitId: string, commandId: string): void {
    this.#outbox.answered(unitId, commandId).catch((err: unknown) => this.log.warn({ err, unitId, commandId }, 'command outbox: an answered command not removed; it may be sent once more'));
  }
}
