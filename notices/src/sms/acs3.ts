// Alibaba Cloud's V3 request signature, ACS3-HMAC-SHA256 (help.aliyun.com, "V3 request structure
// and signature"): the canonical request — method, path, sorted query, the signed headers
// (host, content-type and every x-acs-*, lower-cased, sorted, "name:value\n") and their names,
// the hex SHA-256 of the body — is hashed; "ACS3-HMAC-SHA256\n" + that hash is signed with the
// AccessKey secret; the Authorization header names the key id, the headers and the signature.
import { createHash, createHmac, randomUUID } from 'node:crypto';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** RFC 3986 percent-encoding, as the scheme asks: space as %20, and * and ~ as Alibaba's SDKs do. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface Acs3Request {
  method: string;
  url: URL;
  /** the headers to send: host, content-type and x-acs-* among them are signed */
  headers: Record<string, string>;
  body: string;
}

/** The canonical request of the scheme and the signed headers' names. */
export function canonicalRequest(r: Acs3Request): { canonical: string; signedHeaders: string } {
  const query = [...r.url.searchParams].map(([k, v]) => [encode(k), encode(v)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signed = Object.entries(r.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
    .filter(([k]) => k === 'host' || k === 'content-type' || k.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const signedHeaders = signed.map(([k]) => k).join(';');
  const canonical = [
    r.method.toUpperCase(),
    r.url.pathname || '/',
    query.map(([k, v]) => `${k}=${v}`).join('&'),
    signed.map(([k, v]) => `${k}:${v}\n`).join(''),
    signedHeaders,
    r.headers['x-acs-content-sha256'] ?? sha256Hex(r.body),
  ].join('\n');
  return { canonical, signedHeaders };
}

/** The request's headers with the x-acs-* set and the Authorization computed. */
export function signAcs3(
  r: { method: string; url: URL; body: string; contentType: string; action: string; version: string },
  key: { id: string; secret: string },
  now = new Date(),
): Record<string, string> {
  const headers: Record<string, string> = {
    host: r.url.host,
    'content-type': r.contentType,
    'x-acs-action': r.action,
    'x-acs-version': r.version,
    // yyyy-MM-ddTHH:mm:ssZ, UTC, no fraction
    'x-acs-date': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    // the provider refuses a nonce it has seen: a replayed request fails
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': sha256Hex(r.body),
  };
  const { canonical, signedHeaders } = canonicalRequest({ method: r.method, url: r.url, headers, body: r.body });
  const signature = createHmac('sha256', key.secret)
    .update(`${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`)
    .digest('hex');
  return { ...headers, authorization: `${ACS3_ALGORITHM} Credential=${key.id},SignedHeaders=${signedHeaders},Signature=${signature}` };
}
