// A real SMPP 3.4 server peer (the `smpp` package's server) standing in for the operator's SMSC:
// it takes binds, records each submit_sm, answers with a message id and, when asked, sends the
// delivery receipt (deliver_sm, esm_class 0x04, "id:… stat:…" as in SMPP 3.4 Appendix B).
import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

export interface SubmittedText {
  destination: string;
  text: string;
  registeredDelivery: number;
  messageId: string;
}

const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : v && typeof v === 'object' && 'message' in v ? textOf((v as { message: unknown }).message) : '';

export async function startSmsc(opts: { receipt: 'DELIVRD' | 'UNDELIV' | null }) {
  const received: SubmittedText[] = [];
  const binds: { command: string; systemId: string; password: string }[] = [];
  let n = 0;
  const sessions = new Set<Session>();
  const server = smpp.createServer({}, (session: Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
    for (const command of ['bind_transceiver', 'bind_transmitter']) {
      session.on(command, (pdu: PDU) => {
        binds.push({ command, systemId: String(pdu.system_id), password: String(pdu.password) });
        session.send(pdu.response());
      });
    }
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      const messageId = `smsc-${++n}`;
      received.push({ destination: String(pdu.destination_addr), text: textOf(pdu.short_message) || textOf(pdu.message_payload), registeredDelivery: Number(pdu.registered_delivery), messageId });
      session.send(pdu.response({ message_id: messageId }));
      if (opts.receipt && Number(pdu.registered_delivery) & 1) {
        session.deliver_sm({
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 0x04,
          short_message: `id:${messageId} sub:001 dlvrd:${opts.receipt === 'DELIVRD' ? '001' : '000'} submit date:2611280800 done date:2611280801 stat:${opts.receipt} err:000 text:`,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    received,
    binds,
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
