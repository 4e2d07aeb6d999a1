// SMPP 3.4 client (the `smpp` package): one link to the SMSC, bound as transceiver (texts out,
// delivery receipts in on the same link) or transmitter, bound on the first text and again
// after the link drops. Receipts: deliver_sm with esm_class bit 2 (SMPP 3.4 §5.2.12), the
// message id in the receipted_message_id TLV (§5.3.2.12) or the text "id:… stat:…" (Appendix B).
import { EventEmitter } from 'node:events';
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from 'pino';
import type { NoticesConfig } from '@hub/config';
import { SmsSendError } from '../errors';
import type { DeliveryReceipt, SmsMessage, SmsSender, SmsSenderEvents } from './sender';

type SmppSettings = NonNullable<NoticesConfig['smpp']>;

/** message_state values (SMPP 3.4 §5.2.28) and the receipt's stat words. */
const DELIVERED = new Set(['DELIVRD', '2']);
const FINAL_FAILED = new Set(['EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD', 'UNKNOWN', '3', '4', '5', '7', '8']);

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (v && typeof v === 'object' && 'message' in v) return text((v as { message: unknown }).message);
  return '';
}

/** The receipt in a deliver_sm, or undefined when it is a mobile-originated text. */
export function receiptOf(pdu: PDU): DeliveryReceipt | undefined {
  if (((pdu.esm_class as number) & 0x3c) !== 0x04) return undefined;
  const body = text(pdu.short_message) || text(pdu.message_payload);
  const field = (name: string) => new RegExp(`${name}:(\\S+)`, 'i').exec(body)?.[1];
  const messageId = text(pdu.receipted_message_id) || field('id');
  const status = field('stat') ?? (pdu.message_state === undefined ? '' : String(pdu.message_state));
  if (!messageId || !status) return undefined;
  const delivered = DELIVERED.has(status.toUpperCase());
  if (!delivered && !FINAL_FAILED.has(status.toUpperCase())) return undefined; // ENROUTE, ACCEPTD: not final
  const error = field('err');
  return { messageId, delivered, status: status.toUpperCase(), ...(error && error !== '000' ? { error } : {}) };
}

/** GSM 7-bit holds 160 characters, UCS-2 (Chinese) 70: longer texts go in message_payload (§5.3.2.32). */
function body(textToSend: string): Record<string, string> {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(textToSend);
  return textToSend.length > (ascii ? 160 : 70) ? { message_payload: textToSend } : { short_message: textToSend };
}

export class SmppSender extends EventEmitter<SmsSenderEvents> implements SmsSender {
  readonly channel = 'smpp';
  private bound: Promise<Session> | undefined;
  private session: Session | undefined;
  private closed = false;

  constructor(
    private readonly settings: SmppSettings,
    private readonly log: Logger,
  ) {
    super();
  }

  private timeout<T>(what: string, run: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SmsSendError('HUB_ERR_SMPP_TIMEOUT', `the SMSC did not answer the ${what} within ${this.settings.timeoutSeconds} s`)),
        this.settings.timeoutSeconds * 1000,
      );
      run(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private bind(): Promise<Session> {
    if (this.bound) return this.bound;
    const { host, port, system_id, password, bindAs, enquireLinkSeconds } = this.settings;
    const session = smpp.connect({ host, port, auto_enquire_link_period: enquireLinkSeconds * 1000 });
    this.session = session;
    const forget = () => {
      if (this.session === session) [this.session, this.bound] = [undefined, undefined];
    };
    session.on('close', forget);
    session.on('deliver_sm', (pdu: PDU) => {
      session.send(pdu.response());
      const receipt = receiptOf(pdu);
      if (receipt) this.emit('receipt', receipt);
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    this.bound = this.timeout<Session>(`bind_${bindAs}`, (resolve, reject) => {
      session.on('error', (err: Error) => {
        forget();
        this.log.warn({ err: { message: err.message }, host, port }, 'SMPP link failed');
        reject(new SmsSendError('HUB_ERR_SMPP_UNREACHABLE', `the SMSC at ${host}:${port} cannot be reached: ${err.message}`));
      });
      session.on('connect', () => {
        // the password goes in the bind PDU only: never in a log line
        const bindCmd = bindAs === 'transceiver' ? session.bind_transceiver.bind(session) : session.bind_transmitter.bind(session);
        bindCmd({ system_id, password }, (pdu: PDU) => {
          if (pdu.command_status === 0) {
            this.log.info({ host, port, system_id, bindAs }, 'SMPP bound');
            resolve(session);
          } else {
            session.close();
            reject(new SmsSendError('HUB_ERR_SMPP_BIND', `the SMSC refused the bind as ${system_id} (command_status 0x${pdu.command_status.toString(16)})`));
          }
        });
      });
    }).catch((err: unknown) => {
      forget();
      session.destroy();
      throw err;
    });
    return this.bound;
  }

  async send(m: SmsMessage): Promise<{ messageId: string }> {
    if (this.closed) throw new SmsSendError('HUB_ERR_SMPP_CLOSED', 'the SMPP link is closed (the hub is stopping)');
    const session = await this.bind();
    return this.timeout('submit_sm', (resolve, reject) => {
      const sent = session.submit_sm(
        {
          source_addr: this.settings.sourceAddr,
          destination_addr: m.to,
          // 1: a receipt on final delivery or failure (SMPP 3.4 §5.2.17)
          registered_delivery: 1,
          ...body(m.text),
        },
        (pdu: PDU) => {
          if (pdu.command_status === 0) resolve({ messageId: text(pdu.message_id) });
          else reject(new SmsSendError('HUB_ERR_SMPP_SUBMIT', `the SMSC refused the text (command_status 0x${pdu.command_status.toString(16)})`));
        },
      );
      if (!sent) reject(new SmsSendError('HUB_ERR_SMPP_UNREACHABLE', 'the SMPP link closed before the text could be sent'));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const session = this.session;
    [this.session, this.bound] = [undefined, undefined];
    if (!session) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => session.destroy(() => resolve()), 1000);
      session.unbind({}, () => {
        clearTimeout(done);
        session.close(() => resolve());
      });
    });
  }
}
