import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { pinyin } from 'pinyin-pro';
import type { Glossary } from '../knowledge/glossary.ts';
import { escapeRegExp, isPunctuation, normalizeText } from './text.ts';

// Function words and question words that carry no topic: a question's "怎么" matches every FAQ.
const STOPWORDS = new Set(
  `的 了 吗 呢 啊 吧 呀 哦 嘛 么 是 有 在 我 你 他 她 它 我们 你们 他们 和 与 及 或 等 都 也 就 还 要 会 能 可以 可 请问 请 麻烦 一下 一个 这个 那个 这 那 哪 哪个 哪些 哪里 哪儿 什么 怎么 怎么样 怎样 如何 多少 几 几个 吗 没有 没 不 对 给 把 被 让 从 到 去 来 又 很 想 问 问下 知道 了解 介绍 告诉 打听 请教 你好 您好 大家好 一些 有没有 是不是 能不能 可不可以 咱们 现在 目前 资料 之 其 为 以 于 上 下 中 个 里 啥 咋 嘞 哈 么 呗 啦 嗯 好 谢谢 总共 一共 共 干嘛 有啥 是啥 哪类 哪种 哪几个 几个 怎么回事 还 还有 能 吗 谁 负责 区里 区 里面 那边 这边 有没有 是不是 好不好 行不行 对不对 享受`.split(/\s+/),
);

// jieba's part-of-speech tags of function words: pronouns, numbers, measure words, adverbs,
// prepositions, conjunctions, particles, interjections, onomatopoeia and directions.
const FUNCTION_TAG = /^(?:[rmqdpcuyof]|e$)/;

const DICTIONARY = Buffer.from(dict.buffer, dict.byteOffset, dict.byteLength);
let dictionaryTotal: number | undefined;
const rarities = new Map<string, number>();

/** The sum of the counts in a dictionary of "word count tag" lines, read byte by byte. */
function countsOf(dictionary: Buffer): number {
  const SPACE = 0x20;
  const NEWLINE = 0x0a;
  let total = 0;
  let field = 0;
  let count = 0;
  for (let i = 0; i < dictionary.length; i++) {
    const byte = dictionary[i]!;
    if (byte === NEWLINE) {
      total += count;
      field = 0;
      count = 0;
    } else if (byte === SPACE) field++;
    else if (field === 1) count = count * 10 + (byte - 0x30);
  }
  return total + count;
}

/**
 * How rare a word is in general Chinese: −ln of its share of the counts in jieba's dictionary
 * (Infinity when the dictionary lacks it). Words for an aspect of something are everyday — 内容 8.3,
 * 特点 8.8, 对象 9.5 — while things are rare: 证书 10.5, 宠物 12.6, 押金 13.4, 停车位 15.1.
 */
export function generalRarity(word: string): number {
  let rarity = rarities.get(word);
  if (rarity !== undefined) return rarity;
  dictionaryTotal ??= countsOf(DICTIONARY);
  const at = DICTIONARY.indexOf(`\n${word} `);
  const count = at < 0 ? 0 : Number(DICTIONARY.toString('utf8', at + 1, DICTIONARY.indexOf('\n', at + 1)).split(' ')[1]);
  rarity = count > 0 ? Math.log(dictionaryTotal / count) : Infinity;
  if (rarities.size >= 10_000) rarities.clear();
  rarities.set(word, rarity);
  return rarity;
}

/**
 * jieba with the district's terms added, in search mode (long words also yield their parts),
 * lower-cased and without punctuation or stopwords.
 */
export class Tokenizer {
  private readonly jieba: Jieba;
  private readonly synonymGroups: string[][];
  /**
   * Per synonym group: its words of several characters (each with the places whose names hold it),
   * its one-character words, and all its tokens.
   */
  private readonly synonymMatchers: { long: { word: string; within: string[] }[]; single: string[]; tokens: string[] }[];
  /** The glossary's domain terms, longest first, as one pattern (at each place the longest that matches). */
  private readonly terms: RegExp | undefined;
  /** The glossary's named places, normalised. */
  private readonly places: string[];
  /** The glossary's terms of three characters or more, with their syllables (no tones), made on first use. */
  private sounds: { term: string[]; syllables: string[] }[] | undefined;
  private readonly readings = new Map<string, string[]>();
  private readonly termList: string[];
  /** Every word of the glossary: its terms and their synonyms. */
  private readonly glossaryWords: string[];

  constructor(glossary: Glossary) {
    this.jieba = Jieba.withDict(dict);
    const words = new Set([...glossary.terms, ...glossary.synonyms.flat()].map((word) => normalizeText(word)));
    this.glossaryWords = [...words];
    if (words.size) {
      // Words of several characters only: jieba knows every character, and one forced to a high count
      // cuts the words it is part of (房 of 房型 and 健身房).
      const userDict = [...words].filter((word) => [...word].length > 1).map((word) => `${word} 200000 n`).join('\n');
      this.jieba.loadDict(Buffer.from(userDict));
    }
    this.places = [...new Set((glossary.places ?? []).map((place) => normalizeText(place)))];
    this.synonymGroups = glossary.synonyms.map((group) => group.map((word) => normalizeText(word)));
    this.synonymMatchers = this.synonymGroups.map((group) => ({
      long: group
        .filter((word) => [...word].length > 1)
        .map((word) => ({ word, within: this.places.filter((place) => place !== word && place.includes(word)) })),
      single: group.filter((word) => [...word].length === 1),
      tokens: group.flatMap((word) => this.tokenize(word)),
    }));
    const terms = [...new Set(glossary.terms.map((term) => normalizeText(term)))].sort((a, b) => b.length - a.length);
    this.termList = terms;
    this.terms = terms.length ? new RegExp(terms.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  /** The glossary's domain terms that hold `word` and are longer: 社区工作者 and 社会工作站 for 工作. */
  termsHolding(word: string): string[] {
    const normalized = normalizeText(word);
    return this.termList.filter((term) => term !== normalized && term.includes(normalized));
  }

  /**
   * The glossary's words (terms and synonyms) a shorter name stands for: its characters in order, with
   * at most two left out ("功能型社区" → 功能型产业社区).
   */
  termsShortenedTo(word: string): string[] {
    const short = [...normalizeText(word)];
    return this.glossaryWords.filter((term) => {
      const full = [...term];
      if (full.length <= short.length || full.length - short.length > 2) return false;
      let at = 0;
      for (const character of full) if (character === short[at]) at++;
      return at === short.length;
    });
  }

  /** The glossary's domain terms a text names, the longest where two begin at one place. */
  termsIn(text: string): string[] {
    return this.terms ? [...new Set(normalizeText(text).match(this.terms) ?? [])] : [];
  }

  /**
   * The text with what sounds like one of the glossary's longer terms, and is written so but for a
   * character or so, spelled as the term: pinyin input puts a character of the right sound in the
   * wrong place ("邻里中新有几个" → 邻里中心, "社企共建基今" → 社企共建基金). At least half the characters
   * must already be the term's, so a different word that happens to sound alike stays as it is.
   */
  respell(text: string): string {
    this.sounds ??= this.termList
      .filter((term) => [...term].length >= 3)
      .map((term) => ({ term: [...term], syllables: pinyin(term, { toneType: 'none', type: 'array' }) }));
    const characters = [...text];
    const written = new Set(characters);
    // Half a term's characters must be in the text as written: most terms are out at a glance.
    const near = this.sounds.filter(({ term }) => term.filter((character) => written.has(character)).length * 2 >= term.length);
    for (let i = 0; i < characters.length && near.length; i++) {
      for (const { term, syllables } of near) {
        if (i + term.length > characters.length) continue;
        let same = 0;
        let alike = true;
        for (let k = 0; k < term.length && alike; k++) {
          if (characters[i + k] === term[k]) same++;
          else alike = this.readingsOf(characters[i + k]!).includes(syllables[k]!);
        }
        if (!alike || same === term.length || same * 2 < term.length) continue;
        characters.splice(i, term.length, ...term);
        i += term.length - 1;
        break;
      }
    }
    return characters.join('');
  }

  private readingsOf(character: string): string[] {
    let known = this.readings.get(character);
    if (!known) this.readings.set(character, (known = pinyin(character, { toneType: 'none', type: 'array', multiple: true })));
    return known;
  }

  /** The glossary's places a text names (临江街道高新社区 → 临江, 临江街道, 高新社区). */
  placesIn(text: string): string[] {
    const normalized = normalizeText(text);
    return this.places.filter((place) => normalized.includes(place));
  }

  tokenize(text: string): string[] {
    return this.jieba
      .cutForSearch(normalizeText(text), true)
      .filter((token) => !isPunctuation(token) && !STOPWORDS.has(token));
  }

  /**
   * The content words of a text as written, with jieba's part-of-speech tags: one reading and no
   * parts (停车位 stays whole), nothing guessed beyond the dictionary and the glossary, and no
   * pronoun (有人, 其他), number, particle or other function word.
   */
  contentWords(text: string): { word: string; tag: string }[] {
    return this.jieba.tag(normalizeText(text), false).filter(({ word, tag }) => !FUNCTION_TAG.test(tag) && !isPunctuation(word) && !STOPWORDS.has(word));
  }

  /** Normalised text with the glossary's domain terms blanked out: what is left is ordinary words. */
  withoutTerms(normalized: string): string {
    return this.terms ? normalized.replace(this.terms, ' ') : normalized;
  }

  /** The other words of every synonym group that contains `word`. */
  synonymsOf(word: string): string[] {
    const normalized = normalizeText(word);
    return this.synonymGroups.filter((group) => group.includes(normalized)).flat().filter((other) => other !== normalized);
  }

  /**
   * The glossary's synonym groups (by their position) that a text mentions. A one-character
   * synonym (钱, 厂, 烦) counts in the text's own words, not inside the district's names or a
   * function word: 钱塘区 is not about money, "麻烦问一下" not about worry. A longer one counts
   * outside the names of places: 医药港 is not about medicine.
   */
  synonymGroupsIn(text: string): number[] {
    const normalized = normalizeText(text);
    let plain: string | undefined;
    const groups: number[] = [];
    for (const [group, { long, single }] of this.synonymMatchers.entries()) {
      const named = long.some(({ word, within }) => normalized.includes(word) && (!within.length || within.reduce((rest, place) => rest.replaceAll(place, ' '), normalized).includes(word)));
      if (named || single.some((word) => (plain ??= this.tokenize(this.withoutTerms(normalized)).join(' ')).includes(word))) groups.push(group);
    }
    return groups;
  }

  /**
   * Query terms with weights: the question's own tokens at 1, the tokens of synonyms of any
   * glossary word the question contains at `synonymWeight`.
   */
  queryTerms(query: string, synonymWeight = 0.5): Map<string, number> {
    const terms = new Map<string, number>();
    for (const token of this.tokenize(query)) terms.set(token, 1);
    for (const group of this.synonymGroupsIn(query)) {
      for (const token of this.synonymMatchers[group]!.tokens) {
        if (!terms.has(token)) terms.set(token, synonymWeight);
      }
    }
    return terms;
  }
}
