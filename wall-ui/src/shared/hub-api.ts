// The one way every page talks to the hub's REST API: JSON in and out, the operator's token
// as a bearer, and the hub's refusal ({code, message}) as a HubApiError that the pages show by
// code in the operator's language.
import type { Session } from '@hub/config';

/** A refusal from the hub: its HTTP status, its HUB_ERR_* code (HTTP_<status> when it sent none) and its sentence. */
export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HubApiError';
  }
}

/** Reads the hub's refusal out of a failed response. */
export async function errorOf(res: Response): Promise<HubApiError> {
  let code = `HTTP_${res.status}`;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { code?: string; message?: string };
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // not JSON: keep the status
  }
  return new HubApiError(res.status, code, message);
}

export interface RequestOptions {
  /** the operator's session token */
  token?: string | null;
  /** a JSON body */
  body?: unknown;
  /** the hub's origin; default the page's */
  base?: string;
}

/** One call: resolves with the JSON answer (undefined for 204), throws HubApiError when refused. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A GET of a file (an evidence pack): its bytes, throws HubApiError when refused. */
export async function requestBlob(path: string, opts: RequestOptions = {}): Promise<Blob> {
  return (await send('GET', path, opts)).blob();
}

/** Downloads a file of the hub's (a CSV report) under `filename`, with the operator's token. */
export async function downloadFile(path: string, filename: string, opts: RequestOptions = {}): Promise<void> {
  const href = URL.createObjectURL(await requestBlob(path, opts));
  const a = Object.assign(document.createElement('a'), { href, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const res = await fetch(opts.base ? new URL(path, opts.base) : path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** POST /api/auth/login → the session. Throws HubApiError (HUB_ERR_LOGIN_FAILED, a lock-out…) when refused. */
export function login(username: string, password: string): Promise<Session> {
  return request<Session>('POST', '/api/auth/login', { body: { username, password } });
}
