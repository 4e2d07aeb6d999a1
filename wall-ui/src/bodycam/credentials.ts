// The unit's credential on this device: from the provisioning link's fragment
// (`/bodycam#unit=ID&secret=S`, never sent to a server), else from localStorage if the
// wearer chose "remember". The fragment is removed from the address bar once read.
export interface UnitCredential {
  unitId: string;
  secret: string;
}

const KEY = 'hub.bodycam.credential';

export function credentialFromFragment(loc: Location = window.location): UnitCredential | undefined {
  const p = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const unitId = p.get('unit') ?? p.get('unitId');
  const secret = p.get('secret');
  if (!unitId || !secret) return undefined;
  history.replaceState(null, '', loc.pathname + loc.search);
  return { unitId, secret };
}

export function rememberedCredential(): UnitCredential | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<UnitCredential> | null;
    return v?.unitId && v.secret ? { unitId: v.unitId, secret: v.secret } : undefined;
  } catch {
    return undefined;
  }
}

export function remember(cred: UnitCredential | undefined): void {
  if (cred) localStorage.setItem(KEY, JSON.stringify(cred));
  else localStorage.removeItem(KEY);
}
