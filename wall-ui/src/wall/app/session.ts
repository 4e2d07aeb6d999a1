// The operator's session: the token from POST /api/auth/login kept in sessionStorage (gone
// with the tab), one fetch wrapper for every /api call, and the way back to the login
// screen when the hub answers 401 anywhere.
import type { OperatorRole, Principal, Session as HubSession } from '@hub/config';
import { downloadFile, HubApiError, login as loginRequest, request, requestBlob } from '../../shared/hub-api';

export type Role = OperatorRole;
export type OperatorInfo = Principal;
export type Session = HubSession;

/** Why a session ended: the hub's error code (e.g. HUB_ERR_AUTH_INVALID) and its sentence. */
export interface SessionEnd {
  code: string;
  message: string;
}

const STORAGE_KEY = 'wall.session';
/** The code the wall gives a refusal that comes when the session's time is up (the hub only says the token is not valid). */
export const SESSION_EXPIRED = 'HUB_ERR_SESSION_EXPIRED';
/** A refusal this close to the hub's expiry time counts as the expiry (clocks and timers are not exact). */
const EXPIRY_SLACK_MS = 5_000;
const RANK: Record<Role, number> = { viewer: 0, coordinator: 1, admin: 2 };

export function hasRole(operator: OperatorInfo | undefined, least: Role): boolean {
  return !!operator && RANK[operator.role] >= RANK[least];
}

let session: Session | null = load();
const endListeners = new Set<(end: SessionEnd) => void>();

function load(): Session | null {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function currentSession(): Session | null {
  return session;
}

function store(s: Session | null): void {
  session = s;
  try {
    if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage blocked: the session lives in memory only
  }
}

/** Called with the reason when the hub refuses the session (401) or the operator logs out. */
export function onSessionEnd(fn: (end: SessionEnd) => void): () => void {
  endListeners.add(fn);
  return () => endListeners.delete(fn);
}

export function endSession(end: SessionEnd): void {
  if (!session) return;
  store(null);
  endListeners.forEach((fn) => fn(end));
}

/** The session's time is up (by this browser's clock). */
export function sessionExpired(s: Session | null = session): boolean {
  return !!s?.expiresAt && Date.now() >= Date.parse(s.expiresAt) - EXPIRY_SLACK_MS;
}

/** The hub refused the session's token: back to the login screen, saying so when it simply expired. */
export function sessionRefused(end: SessionEnd): void {
  endSession(sessionExpired() ? { code: SESSION_EXPIRED, message: end.message } : end);
}

/** An /api call with the session's token. A 401 ends the session (back to the login screen). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await request<T>(method, path, { token: session?.token, body });
  } catch (err) {
    if (err instanceof HubApiError && err.status === 401) sessionRefused({ code: err.code, message: err.message });
    throw err;
  }
}

/** Saves the file at an /api path (an evidence pack) as `filename`, with the session's token. */
export function download(path: string, filename: string): Promise<void> {
  return downloadFile(path, filename, { token: session?.token });
}

/** A file of the hub's (a scene photo) as an object URL for an <img>, fetched with the session's token; revoke it when done. */
export async function photoUrl(path: string): Promise<string> {
  return URL.createObjectURL(await requestBlob(path, { token: session?.token }));
}

/** Opens the incident's replay page in a new tab; the token travels in the fragment, never to a server log. */
export function openReplay(incidentId: number): void {
  window.open(`/replay#token=${encodeURIComponent(session?.token ?? '')}&incident=${incidentId}`, '_blank', 'noopener');
}

/** POST /api/auth/login; keeps the session. Throws HubApiError (HUB_ERR_LOGIN_FAILED) when refused. */
export async function login(username: string, password: string): Promise<Session> {
  const s = await loginRequest(username, password);
  store(s);
  return s;
}

/** POST /api/auth/logout (the hub cuts this session's sockets), then forget the session. */
export async function logout(): Promise<void> {
  const token = session?.token;
  if (token) await request('POST', '/api/auth/logout', { token }).catch(() => undefined);
  endSession({ code: 'LOGGED_OUT', message: '' });
}
