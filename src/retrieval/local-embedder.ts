import { Embeddings } from '@langchain/core/embeddings';
import type { IdentifiedEmbeddings } from './embedder.ts';
import { isPunctuation, normalizeText } from './text.ts';

// Characters too common to say anything about a topic; they still count, at a fraction.
const COMMON = new Set([...'的了是在和与及等我你他这那有个们一不也就都而为以于之其或被把对从到上下中吗呢啊吧么']);

/** 32-bit FNV-1a. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The embedded default: hashed character unigrams and bigrams, log term frequency, signed hashing
 * to cancel collisions, L2-normalised. Deterministic, needs no model and no network, and robust to
 * the odd typo because most of a word's bigrams survive it.
 */
export class LocalHashEmbeddings extends Embeddings implements IdentifiedEmbeddings {
  readonly id = 'local-hash-v1';
  readonly dimensions: number;
  readonly sparse = true;

  constructor(options: { dimensions?: number } = {}) {
    super({});
    this.dimensions = options.dimensions ?? 2048;
  }

  embedText(text: string): number[] {
    const characters = [...normalizeText(text)].map((character) => (isPunctuation(character) ? '' : character));
    // feature → [occurrences, weight of one occurrence]
    const features = new Map<string, [number, number]>();
    const add = (feature: string, weight: number) => {
      const seen = features.get(feature);
      if (seen) seen[0]++;
      else features.set(feature, [1, weight]);
    };
    for (let i = 0; i < characters.length; i++) {
      const current = characters[i]!;
      if (!current) continue;
      add(current, COMMON.has(current) ? 0.2 : 1);
      const next = characters[i + 1];
      if (next) add(current + next, COMMON.has(current) && COMMON.has(next) ? 0.2 : 1.5);
    }
    const vector = new Array<number>(this.dimensions).fill(0);
    // The dimensions the features land on, in order: a text fills few of them, and the norm sums
    // just those (in the same order as over all, so to the same number).
    const filled = new Set<number>();
    for (const [feature, [occurrences, weight]] of features) {
      const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
      const dimension = fnv1a(feature) % this.dimensions;
      vector[dimension]! += sign * weight * (1 + Math.log(occurrences));
      filled.add(dimension);
    }
    const dimensions = [...filled].sort((a, b) => a - b);
    let norm = 0;
    for (const d of dimensions) norm += vector[d]! * vector[d]!;
    norm = Math.sqrt(norm);
    if (norm === 0) {
      // hnswlib cannot place a zero vector under cosine distance; a fixed unit vector ranks last everywhere.
      vector[0] = 1;
      return vector;
    }
    for (const d of dimensions) vector[d]! /= norm;
    return vector;
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedText(text));
  }

  override async embedQuery(text: string): Promise<number[]> {
    return this.embedText(text);
  }
}
