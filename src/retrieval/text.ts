/** The normal form every comparison uses: NFKC, lower case, no whitespace. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

const PUNCTUATION = /^[\p{P}\p{S}\s]+$/u;

export function isPunctuation(token: string): boolean {
  return PUNCTUATION.test(token);
}
