// Sub-packaged messages (JT/T 808-2019 'message package encapsulation', Table 3): a body over
// one frame's 1023 bytes comes as parts, each with the total and its 1-based index. Parts may
// arrive out of order; a part lost on the way is reported so the gateway can ask for it again
// (0x8003, 'supplementary packet request', lists the missing indexes).
import { Jt808Error } from './errors';
import { hex4, type Jt808Header, type Jt808Message } from './header';

export interface ReassemblerOptions {
  /** messages waiting for parts at once (all terminals of one reassembler); one more is refused `reassembly_full`; default 32 */
  maxPending?: number;
  /** parts one message may announce; more is refused `bad_subpackage`; default 512 (about 512 KB of body) */
  maxParts?: number;
  /** ms after its last part that an incomplete message is given up and reported by `expire()`; default 30000 */
  timeoutMs?: number;
}

/** A message given up with parts missing. */
export interface IncompleteMessage {
  phone: string;
  messageId: number;
  /** the serial of part 1 (that of part n is this + n - 1), which 0x8003 names as the original serial */
  firstSerial: number;
  total: number;
  /** 1-based indexes never received */
  missing: number[];
}

interface Pending {
  header: Jt808Header;
  total: number;
  parts: Map<number, Buffer>;
  lastMs: number;
}

export class SubpackageReassembler {
  readonly #maxPending: number;
  readonly #maxParts: number;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();

  constructor(options: ReassemblerOptions = {}) {
    this.#maxPending = options.maxPending ?? 32;
    this.#maxParts = options.maxParts ?? 512;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * A frame's message → the whole message when this part completes it (a message that is not
   * sub-packaged passes straight through), undefined while parts are missing.
   */
  add(message: Jt808Message, nowMs: number = Date.now()): Jt808Message | undefined {
    const { header } = message;
    if (!header.packet) return message;
    const { total, index } = header.packet;
    if (total > this.#maxParts) throw new Jt808Error('bad_subpackage', `message 0x${hex4(header.messageId)} announces ${total} parts; at most ${this.#maxParts} are reassembled`);
    // one message of an id at a time per terminal (Table 3 numbers parts, not messages)
    const key = `${header.phone}/${header.messageId}`;
    let entry = this.#pending.get(key);
    if (entry && entry.total !== total) throw new Jt808Error('bad_subpackage', `part ${index} of ${total} while ${entry.total} parts of message 0x${hex4(header.messageId)} are being reassembled`);
    if (!entry) {
      if (this.#pending.size >= this.#maxPending) throw new Jt808Error('reassembly_full', `${this.#pending.size} sub-packaged messages are already waiting for parts`);
      entry = { header: { ...header, serial: header.serial - (index - 1) }, total, parts: new Map(), lastMs: nowMs };
      this.#pending.set(key, entry);
    }
    // a part sent again (the terminal did not see our answer) replaces the first copy
    entry.parts.set(index, Buffer.from(message.body));
    entry.lastMs = nowMs;
    if (entry.parts.size < total) return undefined;
    this.#pending.delete(key);
    const { packet: _packet, ...whole } = entry.header;
    const bodies = Array.from({ length: total }, (_, i) => entry.parts.get(i + 1)!);
    return { header: { ...whole, serial: whole.serial & 0xffff }, body: Buffer.concat(bodies) };
  }

  /** Gives up the messages whose last part is older than the timeout and says which parts each lacked. */
  expire(nowMs: number = Date.now()): IncompleteMessage[] {
    const given: IncompleteMessage[] = [];
    for (const [key, entry] of this.#pending) {
      if (nowMs - entry.lastMs < this.#timeoutMs) continue;
      this.#pending.delete(key);
      const missing = Array.from({ length: entry.total }, (_, i) => i + 1).filter((i) => !entry.parts.has(i));
      given.push({ phone: entry.header.phone, messageId: entry.header.messageId, firstSerial: entry.header.serial & 0xffff, total: entry.total, missing });
    }
    return given;
  }

  /** Messages waiting for parts. */
  get pending(): number {
    return this.#pending.size;
  }
}
