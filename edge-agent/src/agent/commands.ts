// Downlink commands (`units/{id}/cmd`): validate, run the registered handler, answer on `cmd/ack`.
import { CommandAckSchema, CommandMessageSchema, type Command, type CommandAck, type CommandAckCode } from '@hub/config';
import type { Logger } from '../log';

export type CommandType = Command['type'];
/** Resolves (optionally with a note for the ack) when done; throws to answer ok: false. */
export type CommandHandler<K extends CommandType> = (command: Extract<Command, { type: K }>) => Promise<string | void> | string | void;

export interface CommandDeskOptions {
  unitId: string;
  timeoutMs: number;
  logger: Logger;
  sendAck: (ack: CommandAck) => void;
  onCommand: (command: Command) => void;
  onRejected: (reason: string, id: string | undefined) => void;
}

class CommandTimeout extends Error {}

/** QoS 1 may deliver a command twice (after a reconnect): remember recent answers and repeat them. */
const REMEMBERED = 200;

export class CommandDesk {
  readonly #opts: CommandDeskOptions;
  readonly #handlers = new Map<CommandType, (command: Command) => Promise<string | void> | string | void>();
  readonly #answered = new Map<string, CommandAck | 'running'>();
  #closed = false;
  received = 0;

  constructor(opts: CommandDeskOptions) {
    this.#opts = opts;
  }

  handle<K extends CommandType>(type: K, handler: CommandHandler<K>): () => void {
    const h = handler as unknown as (command: Command) => Promise<string | void> | string | void;
    this.#handlers.set(type, h);
    return () => {
      if (this.#handlers.get(type) === h) this.#handlers.delete(type);
    };
  }

  receive(payload: Buffer): void {
    if (this.#closed) return;
    this.received++;
    let raw: unknown;
    try {
      raw = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#reject('command is not JSON', undefined);
      return;
    }
    const idCandidate = (raw as { id?: unknown } | null)?.id;
    const id = typeof idCandidate === 'string' && idCandidate.length >= 1 && idCandidate.length <= 64 ? idCandidate : undefined;
    const parsed = CommandMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const type = (raw as { type?: unknown } | null)?.type;
      const known = CommandMessageSchema.options.some((o) => o.shape.type.value === type);
      const reason = known
        ? `invalid ${String(type)} command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`
        : `unknown command type ${JSON.stringify(type)}`;
      this.#reject(reason, id, known ? 'invalid_command' : 'unsupported_command');
      return;
    }
    const cmd = parsed.data;
    const previous = this.#answered.get(cmd.id);
    if (previous) {
      if (previous !== 'running') this.#opts.sendAck({ ...previous, ts: Date.now() });
      return;
    }
    this.#remember(cmd.id, 'running');
    void this.#run(cmd);
  }

  async #run(cmd: Command): Promise<void> {
    const handler = this.#handlers.get(cmd.type);
    this.#opts.onCommand(cmd);
    let ack: CommandAck;
    if (!handler) {
      // nobody on this unit takes this kind of command: saying "ok" would tell the hub it was done
      ack = { id: cmd.id, ok: false, code: 'unsupported_command', message: `this unit does not handle ${cmd.type} commands` };
    } else {
      let timer: NodeJS.Timeout | undefined;
      try {
        const note = await Promise.race([
          Promise.resolve().then(() => handler(cmd)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new CommandTimeout(`${cmd.type} took longer than ${this.#opts.timeoutMs} ms`)), this.#opts.timeoutMs);
          }),
        ]);
        ack = { id: cmd.id, ok: true };
        if (typeof note === 'string' && note) ack.message = note.slice(0, 500);
      } catch (err) {
        const code: CommandAckCode = err instanceof CommandTimeout ? 'timed_out' : 'failed';
        ack = { id: cmd.id, ok: false, code, message: String((err as Error)?.message ?? err).slice(0, 500) };
      } finally {
        clearTimeout(timer);
      }
    }
    this.#remember(cmd.id, ack);
    this.#send(ack);
  }

  #reject(reason: string, id: string | undefined, code: CommandAckCode = 'invalid_command'): void {
    this.#opts.logger.warn({ id, reason }, 'command refused');
    this.#opts.onRejected(reason, id);
    // an ack needs an id (CommandAckSchema): without one there is nobody to answer
    if (id) this.#send({ id, ok: false, code, message: reason.slice(0, 500) });
  }

  #send(ack: CommandAck): void {
    if (this.#closed) return;
    const out = { ...ack, ts: Date.now() };
    CommandAckSchema.parse(out);
    this.#opts.sendAck(out);
  }

  #remember(id: string, v: CommandAck | 'running'): void {
    this.#answered.delete(id);
    this.#answered.set(id, v);
    if (this.#answered.size > REMEMBERED) this.#answered.delete(this.#answered.keys().next().value!);
  }

  close(): void {
    this.#closed = true;
  }
}

/** A dispatch from the hub: go to (lat, lon) for an incident, with the coordinator's note. */
export type DispatchOrder = Extract<Command, { type: 'dispatch' }>;

/** The person's answer to a dispatch: true / { accepted: true } accepts; false / { accepted: false, reason } refuses. */
export type DispatchDecision = boolean | { accepted: true } | { accepted: false; reason?: string };

/** What `onDispatch` needs of an agent (UnitAgent fits). */
export interface DispatchReceiver {
  handleCommand(type: 'dispatch', handler: CommandHandler<'dispatch'>): () => void;
  /** publishes the person's answer on units/{id}/cmd/answer (QoS 1) */
  answerDispatch(commandId: string, accepted: boolean, reason?: string): Promise<void>;
}

/**
 * Takes dispatches for a person: the order is acknowledged at once (the hub marks it
 * DELIVERED), then `decide` shows it (a terminal's screen, a prompt) and resolves with the
 * person's answer, which goes to the hub as its own message (`cmd/answer`): accepted (the unit
 * is en route) or refused with a reason. `decide` may take as long as the person takes; past
 * the hub's `incidents.dispatch.acceptTimeoutSeconds` the hub offers the next unit (a late
 * acceptance still counts). If `decide` throws, no answer is sent.
 * Returns a function that stops taking them (later ones are then answered `unsupported_command`).
 */
export function onDispatch(agent: DispatchReceiver, decide: (order: DispatchOrder) => DispatchDecision | Promise<DispatchDecision>, logger?: Logger): () => void {
  return agent.handleCommand('dispatch', (order) => {
    void Promise.resolve()
      .then(() => decide(order))
      .then((d) => {
        const accepted = typeof d === 'boolean' ? d : d.accepted;
        const reason = typeof d === 'object' && !d.accepted ? d.reason : undefined;
        return agent.answerDispatch(order.id, accepted, reason);
      })
      .catch((err: unknown) => logger?.warn({ id: order.id, err: String((err as Error)?.message ?? err) }, 'dispatch not answered'));
    return `dispatch shown${order.incidentId ? ` for incident ${order.incidentId}` : ''}`;
  });
}
