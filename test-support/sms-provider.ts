// A real HTTP SMS provider peer, shaped like Alibaba Cloud's SendSms: it checks each request's V3
// signature (ACS3-HMAC-SHA256) the way the provider does — from the SignedHeaders the request
// names, recomputed here independently of the hub's signer — answers {Code: "OK", BizId}, and
// posts the delivery report back to the hub's receipt URL, signed with the shared secret.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderRequest {
  /** true when the signature matched the AccessKey secret and the body's hash */
  signed: boolean;
  why?: string;
  headers: IncomingMessage['headers'];
  body: Record<string, string>;
  bizId?: string;
}

const hex = (algo: string, data: string) => createHash(algo).update(data).digest('hex');
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function verify(req: IncomingMessage, raw: string, keys: Record<string, string>): string | undefined {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
  if (!m) return 'no ACS3-HMAC-SHA256 Authorization';
  const [, keyId, signedHeaders, signature] = m;
  const secret = keys[keyId!];
  if (!secret) return `unknown AccessKey ID ${keyId}`;
  const names = signedHeaders!.split(';');
  for (const must of ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) if (!names.includes(must)) return `${must} not signed`;
  if ([...names].sort().join(';') !== signedHeaders) return 'SignedHeaders not sorted';
  if (req.headers['x-acs-content-sha256'] !== hex('sha256', raw)) return 'body hash differs';
  const url = new URL(req.url ?? '/', 'http://peer');
  const query = [...url.searchParams].map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).sort();
  const canonical = `${req.method}\n${url.pathname}\n${query.join('&')}\n${names.map((n) => `${n}:${String(req.headers[n]).trim()}\n`).join('')}\n${signedHeaders}\n${hex('sha256', raw)}`;
  const expected = createHmac('sha256', secret)
    .update(`ACS3-HMAC-SHA256\n${hex('sha256', canonical)}`)
    .digest('hex');
  return expected === signature ? undefined : 'signature differs';
}

export async function startSmsProvider(opts: { keys: Record<string, string>; receiptSecret: string; failPhones?: string[] }) {
  const requests: ProviderRequest[] = [];
  const receipts: { status: number; body: unknown }[] = [];
  let n = 0;
  const peer = {
    port: 0,
    requests,
    /** the hub's answers to the reports this peer posted */
    receipts,
    /** where the reports go: the hub's POST /api/notices/receipts/http */
    callback: '',
    /** posts a report as the provider does: the JSON array, x-sms-timestamp and its signature */
    async report(items: unknown[], secret = opts.receiptSecret, timestamp = new Date().toISOString()) {
      const body = JSON.stringify(items);
      const signature = createHmac('sha256', secret).update(`${timestamp}\n${body}`).digest('hex');
      const res = await fetch(peer.callback, { method: 'POST', headers: { 'content-type': 'application/json', 'x-sms-timestamp': timestamp, 'x-sms-signature': signature }, body });
      const answer = { status: res.status, body: await res.json() };
      receipts.push(answer);
      return answer;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw || '{}') as Record<string, string>;
      const why = verify(req, raw, opts.keys);
      const entry: ProviderRequest = { signed: !why, ...(why ? { why } : {}), headers: req.headers, body };
      requests.push(entry);
      res.setHeader('content-type', 'application/json');
      if (why) {
        res.statusCode = 403;
        return res.end(JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: why }));
      }
      entry.bizId = `biz-${++n}`;
      res.end(JSON.stringify({ Code: 'OK', BizId: entry.bizId, Message: 'OK' }));
      // the handset's answer a moment later, as the provider's report push
      const failed = opts.failPhones?.includes(body.PhoneNumbers!) ?? false;
      if (peer.callback)
        setTimeout(
          () =>
            void peer
              .report([
                failed
                  ? { phone_number: body.PhoneNumbers, biz_id: entry.bizId, success: false, err_code: 'MOBILE_NOT_ON_SERVICE', err_msg: '停机', report_time: new Date().toISOString() }
                  : { phone_number: body.PhoneNumbers, biz_id: entry.bizId, success: true, err_code: 'DELIVERED', err_msg: '用户接收成功', report_time: new Date().toISOString() },
              ])
              .catch(() => undefined),
          50,
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  peer.port = (server.address() as AddressInfo).port;
  return peer;
}
