// What an admin hands a body cam or an encoder after issuing a credential. The body-cam
// link carries the unit id and secret in the URL's fragment (`/bodycam#unit=…&secret=…`,
// read by bodycam/credentials.ts): a fragment is never sent to a server (RFC 3986 §3.5), so
// the secret stays out of access logs and proxies; the page removes it from the address bar.
import type { UnitCredential, UnitStream } from '@hub/config';

/** The body-cam page's provisioning link for this credential, on the hub at `origin`. */
export function bodycamLink(origin: string, cred: Pick<UnitCredential, 'unitId' | 'secret'>): string {
  const fragment = new URLSearchParams({ unit: cred.unitId, secret: cred.secret });
  return `${origin}/bodycam#${fragment.toString()}`;
}

/** What a third-party encoder is configured with: the WHIP URL and its bearer token. */
export function encoderSettings(origin: string, stream: UnitStream, cred?: Pick<UnitCredential, 'unitId' | 'secret'>): { whipUrl: string; bearer: string | null } {
  return { whipUrl: origin + stream.whip, bearer: cred ? `${cred.unitId}:${cred.secret}` : null };
}
