// Downlink commands (`units/{id}/cmd`): validate, run the registered handler, answer on `cmd/ack`.
import { CommandAckSchema, CommandMessageSchema, type Command, type CommandAck } from '@hub/config';
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
      this.#reject(reason, id);
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
      ack = { id: cmd.id, ok: true };
    } else {
      let timer: NodeJS.Timeout | undefined;
      try {
        const note = await Promise.race([
          Promise.resolve().then(() => handler(cmd)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${cmd.type} took longer than ${this.#opts.timeoutMs} ms`)), this.#opts.timeoutMs);
          }),
        ]);
        ack = { id: cmd.id, ok: true };
        if (typeof note === 'string' && note) ack.message = note.slice(0, 500);
      } catch (err) {
        ack = { id: cmd.id, ok: false, message: String((err as Error)?.message ?? err).slice(0, 500) };
      } finally {
        clearTimeout(timer);
      }
    }
    this.#remember(cmd.id, ack);
    this.#send(ack);
  }

  #reject(reason: string, id: string | undefined): void {
    this.#opts.logger.warn({ id, reason }, 'command refused');
    this.#opts.onRejected(reason, id);
    // an ack needs an id (CommandAckSchema): without one there is nobody to answer
    if (id) this.#send({ id, ok: false, message: reason.slice(0, 500) });
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

/** What `handleDispatches` needs of an agent (UnitAgent fits). */
export interface DispatchReceiver {
  handleCommand(type: 'dispatch', handler: CommandHandler<'dispatch'>): () => void;
}

/**
 * Takes dispatches: `onDispatch` hears each order (a body cam shows it, a gateway tells the
 * driver) and the hub gets an acknowledgement, which moves the unit to "en route". Throwing
 * from `onDispatch` (or returning false) refuses the order: the ack says ok: false with the reason.
 * Returns a function that stops taking them (later ones are then acked without a listener).
 */
export function handleDispatches(agent: DispatchReceiver, onDispatch: (order: DispatchOrder) => boolean | void | Promise<boolean | void>): () => void {
  return agent.handleCommand('dispatch', async (order) => {
    const accepted = await onDispatch(order);
    if (accepted === false) throw new Error('dispatch refused by the unit');
    return `dispatch received${order.incidentId ? ` for incident ${order.incidentId}` : ''}`;
  });
}
