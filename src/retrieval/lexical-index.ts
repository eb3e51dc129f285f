import { bestOf } from './top-k.ts';
import type { Tokenizer } from './tokenizer.ts';

export type LexicalHit = { index: number; score: number };

/** The persisted form: enough to score without tokenizing the corpus again. */
export type LexicalIndexData = {
  version: 1;
  k1: number;
  b: number;
  documentLengths: number[];
  /** term → [document index, term frequency] pairs, flattened. */
  postings: Record<string, number[]>;
};

/** Okapi BM25 over jieba tokens. Documents are addressed by their position in the chunk list. */
export class LexicalIndex {
  private readonly data: LexicalIndexData;
  private readonly averageLength: number;
  /** Postings as typed arrays, made on first use of a term: [document, frequency, …]. */
  private readonly typed = new Map<string, Int32Array>();
  /** Per document, BM25's length normalisation k1 · (1 − b + b · length / average). */
  private readonly lengthNorms: Float64Array;
  private scores: Float64Array | undefined;

  private constructor(data: LexicalIndexData) {
    this.data = data;
    const total = data.documentLengths.reduce((sum, length) => sum + length, 0);
    this.averageLength = data.documentLengths.length ? total / data.documentLengths.length : 0;
    const { k1, b } = data;
    this.lengthNorms = Float64Array.from(data.documentLengths, (length) => k1 * (1 - b + (b * length) / (this.averageLength || 1)));
  }

  static build(texts: string[], tokenizer: Tokenizer, options: { k1?: number; b?: number } = {}): LexicalIndex {
    const postings: Record<string, number[]> = Object.create(null);
    const documentLengths: number[] = [];
    texts.forEach((text, index) => {
      const tokens = tokenizer.tokenize(text);
      documentLengths.push(tokens.length);
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const [term, count] of counts) (postings[term] ??= []).push(index, count);
    });
    return new LexicalIndex({ version: 1, k1: options.k1 ?? 1.2, b: options.b ?? 0.75, documentLengths, postings });
  }

  static fromJSON(data: unknown): LexicalIndex {
    const candidate = data as Partial<LexicalIndexData> | null;
    if (!candidate || candidate.version !== 1 || !Array.isArray(candidate.documentLengths) || typeof candidate.postings !== 'object') {
      throw new Error('lexical index file is not a version 1 BM25 index');
    }
    return new LexicalIndex({ ...(candidate as LexicalIndexData), postings: Object.assign(Object.create(null), candidate.postings) });
  }

  toJSON(): LexicalIndexData {
    return this.data;
  }

  get size(): number {
    return this.data.documentLengths.length;
  }

  /** Inverse document frequency of a term (BM25's form); unseen terms get the highest value. */
  idf(term: string): number {
    const n = this.data.documentLengths.length;
    const documentFrequency = (this.data.postings[term]?.length ?? 0) / 2;
    return Math.log(1 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  /** Whether any document holds `term`. */
  has(term: string): boolean {
    return this.data.postings[term] !== undefined;
  }

  private postings(term: string): Int32Array | undefined {
    let list = this.typed.get(term);
    if (!list) {
      const plain = this.data.postings[term];
      if (!plain) return undefined;
      list = Int32Array.from(plain);
      this.typed.set(term, list);
    }
    return list;
  }

  /**
   * Per document: the share of the query's idf-weighted terms it contains (BM25's coordination
   * factor), read from the postings so a hundred candidates cost little. The answerer's relevance
   * gate (`relevance` in assistant/grounding.ts) measures a similar share on the passage text itself,
   * by substring and without single characters; its threshold is calibrated on that definition.
   */
  coverage(terms: Map<string, number>, indices: number[]): number[] {
    let total = 0;
    const shares = indices.map(() => 0);
    for (const [term, weight] of terms) {
      const importance = weight * this.idf(term);
      total += importance;
      const list = this.postings(term);
      if (!list) continue;
      indices.forEach((index, i) => {
        if (contains(list, index)) shares[i]! += importance;
      });
    }
    return shares.map((share) => (total ? share / total : 0));
  }

  /** Scores documents for weighted query terms; `accept` filters by document index. */
  search(terms: Map<string, number>, k: number, accept?: (index: number) => boolean): LexicalHit[] {
    const count = this.size;
    if (!count) return [];
    const { k1 } = this.data;
    const norms = this.lengthNorms;
    // One score slot per document, reused across queries: no per-query maps at 100k chunks.
    this.scores ??= new Float64Array(count);
    const scores = this.scores;
    scores.fill(0);
    for (const [term, weight] of terms) {
      const list = this.postings(term);
      if (!list) continue;
      const factor = weight * this.idf(term) * (k1 + 1);
      for (let i = 0; i < list.length; i += 2) {
        const index = list[i]!;
        const frequency = list[i + 1]!;
        scores[index]! += (factor * frequency) / (frequency + norms[index]!);
      }
    }
    return bestOf(scores, count, k, accept);
  }
}

/** Whether a posting list [document, frequency, …] (documents ascending) holds `index`. */
function contains(list: Int32Array, index: number): boolean {
  let low = 0;
  let high = list.length >> 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    const document = list[middle * 2]!;
    if (document === index) return true;
    if (document < index) low = middle + 1;
    else high = middle;
  }
  return false;
}
