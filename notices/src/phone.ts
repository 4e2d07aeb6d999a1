// Phone numbers are personal data (PIPL art. 28 treats them with care): the API and the logs
// show them masked; the full number leaves only through the admin's audited route.

/** 13812341234 → 138****1234; shorter numbers keep their first and last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+86/, '');
  if (digits.length >= 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

/**
 * A mainland mobile (1[3-9] + 9 digits, with or without +86/0086) or a landline with its area
 * code (010-12345678): the digits kept, or undefined when it is neither.
 */
export function normalizePhone(raw: string): string | undefined {
  const s = raw.replace(/[\s()-]/g, '').replace(/^(\+86|0086)/, '');
  if (/^1[3-9]\d{9}$/.test(s)) return s;
  if (/^0\d{9,11}$/.test(s)) return s;
  return undefined;
}
