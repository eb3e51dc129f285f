import { Converter } from 'opencc-js/t2cn';

/** The normal form every comparison uses: NFKC, lower case, no whitespace. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

const PUNCTUATION = /^[\p{P}\p{S}\s]+$/u;

export function isPunctuation(token: string): boolean {
  return PUNCTUATION.test(token);
}

/** A literal string as a pattern: 8小时外 or c++ matched as written. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A "么" that ends a question ("在么", "有食堂么"), not one inside 什么, 怎么, 这么, 那么, 多么, 要么. */
const FINAL_ME = /(?<![什怎这那多要甚])么(?=[\p{P}\s]*$)/u;

/** The question particle written the common way: "在么" → "在吗". */
export function plainParticles(text: string): string {
  return text.replace(FINAL_ME, '吗');
}

/** A word asked as A-not-A ("贵不贵", "有没有", "修没修"); "时不时" and "动不动就" say how often. */
export const A_NOT_A = /(?!时)(\p{Script=Han})[不没]\1(?!就)/u;

/**
 * A question asked as A-not-A, asked with 吗 instead: "蓝领公寓要不要押金" → "蓝领公寓要押金吗",
 * "可不可以带家属" → "可以带家属吗". Other clauses are left as they are.
 */
export function askedWithMa(text: string): string {
  return text.replace(/[^\s\p{P}]+/gu, (clause) => (A_NOT_A.test(clause) ? `${clause.replace(A_NOT_A, '$1').replace(/[吗呢啊呀吧嘛]+$/, '')}吗` : clause));
}

/** Built at first use: its tables take 25 ms and 8.5 MB, which only a process that reads messages needs. */
let traditionalToSimplified: ((text: string) => string) | undefined;

/**
 * Text in traditional characters written as the documents and every rule are: "鄰里中心有幾個" →
 * "邻里中心有几个", "想自殺" → "想自杀". Simplified text comes back as it was.
 */
export function toSimplified(text: string): string {
  const convert = (traditionalToSimplified ??= Converter({ from: 't', to: 'cn' }));
  return convert(text);
}
