// Mainland mobile numbers (11 digits from 13–19) and resident ID numbers (18 characters, last may be X),
// not when they are part of a longer number.
const MOBILE = /(?<![0-9])(1[3-9]\d)(\d{4})(\d{4})(?![0-9])/g;
const ID_CARD = /(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])/g;

/** Masks phone and ID-card numbers: 138****1234, 330***********123X. */
export function mask(text: string): string {
  return text.replace(ID_CARD, (_, head: string, tail: string) => `${head}${'*'.repeat(11)}${tail}`).replace(MOBILE, (_, head: string, _middle: string, tail: string) => `${head}****${tail}`);
}

/** True when the text carries a phone or ID-card number. */
export function hasPersonalNumber(text: string): boolean {
  MOBILE.lastIndex = 0;
  ID_CARD.lastIndex = 0;
  const found = MOBILE.test(text) || ID_CARD.test(text);
  MOBILE.lastIndex = 0;
  ID_CARD.lastIndex = 0;
  return found;
}

/** The first phone number in a text, as contact details the requester offered. */
export function findPhone(text: string): string | null {
  MOBILE.lastIndex = 0;
  const match = MOBILE.exec(text);
  MOBILE.lastIndex = 0;
  return match ? match[0] : null;
}

/** Masks every string inside a log argument (objects and arrays, a few levels deep). */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth > 4 || value === null || typeof value !== 'object' || value instanceof Error || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, depth + 1)]));
}
