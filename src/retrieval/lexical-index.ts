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

  private constructor(data: LexicalIndexData) {
    this.data = data;
    const total = data.documentLengths.reduce((sum, length) => sum + length, 0);
    this.averageLength = data.documentLengths.length ? total / data.documentLengths.length : 0;
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

  /** Scores documents for weighted query terms; `accept` filters by document index. */
  search(terms: Map<string, number>, k: number, accept?: (index: number) => boolean): LexicalHit[] {
    const { k1, b, documentLengths, postings } = this.data;
    // One score slot per document, reused across queries: no per-query maps at 100k chunks.
    const scores = this.scratch();
    const touched: number[] = [];
    for (const [term, weight] of terms) {
      const list = postings[term];
      if (!list) continue;
      const idf = this.idf(term);
      for (let i = 0; i < list.length; i += 2) {
        const index = list[i]!;
        const frequency = list[i + 1]!;
        const length = documentLengths[index]!;
        const score = (weight * idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / (this.averageLength || 1)));
        if (scores[index] === 0) touched.push(index);
        scores[index]! += score;
      }
    }
    const best = topK(touched, scores, k, accept);
    for (const index of touched) scores[index] = 0;
    return best;
  }

  private scores: Float64Array | undefined;
  private scratch(): Float64Array {
    this.scores ??= new Float64Array(this.data.documentLengths.length);
    return this.scores;
  }
}

/** The k best of the touched documents, best first (ties: lower index), without sorting them all. */
function topK(touched: number[], scores: Float64Array, k: number, accept?: (index: number) => boolean): LexicalHit[] {
  const heap: LexicalHit[] = []; // a min-heap of the best k so far
  const worse = (a: LexicalHit, b: LexicalHit) => a.score < b.score || (a.score === b.score && a.index > b.index);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const index of touched) {
    if (accept && !accept(index)) continue;
    const hit = { index, score: scores[index]! };
    if (heap.length < k) {
      heap.push(hit);
      for (let i = heap.length - 1; i > 0 && worse(heap[i]!, heap[(i - 1) >> 1]!); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (k > 0 && worse(heap[0]!, hit)) {
      heap[0] = hit;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && worse(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && worse(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        swap(i, smallest);
        i = smallest;
      }
    }
  }
  return heap.sort((a, b) => b.score - a.score || a.index - b.index);
}
