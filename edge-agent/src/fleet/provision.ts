// Creates units and issues their MQTT credentials through the hub's REST API; creates JT/T 808
// terminals' units (their phone number; the terminal registers itself) and resets a registration.
import { ApiErrorSchema, UnitCredentialSchema, type UnitCreate, type UnitCredential } from '@hub/config';
import { HubApiError } from '../errors';

export interface ProvisionOptions {
  /** hub base URL, e.g. http://127.0.0.1:8080 */
  hub: string;
  /** operator token (Authorization: Bearer) */
  adminToken: string;
  /** requests at once; default 8 */
  concurrency?: number;
}

async function call(opts: ProvisionOptions, method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(route, opts.hub), {
    method,
    headers: { authorization: `Bearer ${opts.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function fail(what: string, status: number, json: unknown): never {
  const err = ApiErrorSchema.safeParse(json);
  throw new HubApiError(status, `${what}: HTTP ${status}${err.success ? ` ${err.data.code}: ${err.data.message}` : ''}`);
}

/** Creates the unit (a 409 means it exists already) and issues it a fresh credential. */
export async function provisionUnit(opts: ProvisionOptions, unit: UnitCreate): Promise<UnitCredential> {
  const created = await call(opts, 'POST', '/api/units', unit);
  if (created.status !== 201 && created.status !== 200 && created.status !== 409) fail(`creating unit ${unit.id}`, created.status, created.json);
  const issued = await call(opts, 'POST', `/api/units/${encodeURIComponent(unit.id)}/credential`);
  if (issued.status !== 201 && issued.status !== 200) fail(`issuing a credential for ${unit.id}`, issued.status, issued.json);
  const credential = UnitCredentialSchema.safeParse(issued.json);
  if (!credential.success) throw new HubApiError(issued.status, `the hub's credential for ${unit.id} does not match UnitCredentialSchema`);
  return credential.data;
}

/** provisionUnit for many units, a few requests at a time; results in the order of `units`. */
export function provisionUnits(opts: ProvisionOptions, units: UnitCreate[]): Promise<UnitCredential[]> {
  return fewAtATime(opts, units, (unit) => provisionUnit(opts, unit));
}

/** Creates a JT/T 808 terminal's unit (`unit.jt808` set; a 409 means it exists already). No credential: the terminal registers (0x0100). */
export async function provisionTerminal(opts: ProvisionOptions, unit: UnitCreate): Promise<void> {
  const created = await call(opts, 'POST', '/api/units', unit);
  if (created.status !== 201 && created.status !== 409) fail(`creating unit ${unit.id}`, created.status, created.json);
}

export function provisionTerminals(opts: ProvisionOptions, units: UnitCreate[]): Promise<void[]> {
  return fewAtATime(opts, units, (unit) => provisionTerminal(opts, unit));
}

/** Forgets a terminal's authentication code so that it may register again (README "Vehicle terminals"). */
export async function forgetAuthCode(opts: ProvisionOptions, unitId: string): Promise<void> {
  const res = await call(opts, 'DELETE', `/api/units/${encodeURIComponent(unitId)}/jt808/auth-code`);
  if (res.status >= 300) fail(`resetting the registration of ${unitId}`, res.status, res.json);
}

/** `fn` over `items`, `opts.concurrency` (default 8) at a time; results in order. */
async function fewAtATime<T, R>(opts: ProvisionOptions, items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, items.length) }, worker));
  return out;
}
