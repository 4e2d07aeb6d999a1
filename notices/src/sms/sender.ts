// The seam between the notice loop and an SMS gateway: submit a text, hear its delivery receipt.
import type { EventEmitter } from 'node:events';

export interface SmsMessage {
  /** the full number (never logged: logs get maskPhone) */
  to: string;
  /** the text in the template's words (what an SMPP gateway sends) */
  text: string;
  /** the event type: the HTTP provider's template is chosen by it */
  type: string;
  /** the template's parameters (what an HTTP provider fills in its own approved template) */
  params: Record<string, string>;
}

export interface DeliveryReceipt {
  /** the id the gateway gave at submission */
  messageId: string;
  delivered: boolean;
  /** the gateway's word for the final state: DELIVRD, UNDELIV, EXPIRED, REJECTD, … */
  status: string;
  /** the network's error code, when it gives one */
  error?: string;
}

export type SmsSenderEvents = {
  /** the handset got it, or the network gave up (SMPP deliver_sm with a receipt) */
  receipt: [DeliveryReceipt];
};

/** A gateway that takes texts. `send` resolves with the gateway's id once it accepted the text, or throws SmsSendError. */
export interface SmsSender extends EventEmitter<SmsSenderEvents> {
  /** smpp, http: stored with each notice, so a receipt finds its notice */
  readonly channel: string;
  send(message: SmsMessage): Promise<{ messageId: string }>;
  /** safe to call twice */
  close(): Promise<void>;
}
