import { normalizeText } from '../retrieval/text.ts';

// "那临江的呢？" "还有呢" "芯谷的呢" "那个呢": short, elliptical, leaning on what came before.
const LEADING = /^(那|那么|那个|还有|另外|其他|其它|再|又|以及|和)/;
const TRAILING = /(呢|咧|嘞)$/;

/** True when a message only makes sense with the previous question. */
export function isFollowUp(text: string): boolean {
  const normalized = normalizeText(text).replace(/[？?。！!，,、]/g, '');
  if (!normalized || normalized.length > 14) return false;
  return TRAILING.test(normalized) || (LEADING.test(normalized) && normalized.length <= 8);
}

/** The offline rewrite: the follow-up carries the last question's topic along. */
export function carryOverTopic(text: string, lastQuestion: string): string {
  return `${text.replace(/[？?]+$/, '')}，${lastQuestion}`;
}
