import type { Chunk } from '../knowledge/document.ts';
import { LocalHashEmbeddings } from '../retrieval/local-embedder.ts';

export type FaqMatch = { chunk: Chunk; similarity: number };

/**
 * Matches a question against the FAQ entries of the knowledge base by character n-gram cosine
 * (always the local embedder: cheap, deterministic, and independent of the configured model).
 */
export class FaqMatcher {
  private readonly embedder = new LocalHashEmbeddings({ dimensions: 4096 });
  private readonly entries: { chunk: Chunk; vector: number[] }[];

  constructor(chunks: Chunk[]) {
    // An answer split over several chunks is one entry: its first chunk carries the question.
    const seen = new Set<string>();
    this.entries = chunks
      .filter((chunk) => chunk.faq && chunk.section && !seen.has(`${chunk.source}#${chunk.section}`) && seen.add(`${chunk.source}#${chunk.section}`))
      .map((chunk) => ({ chunk, vector: this.embedder.embedText(chunk.section.split(' / ').at(-1)!) }));
  }

  get size(): number {
    return this.entries.length;
  }

  best(question: string): FaqMatch | undefined {
    const query = this.embedder.embedText(question);
    // A question fills a few dozen of the 4,096 dimensions: the dot product needs only those.
    const filled: number[] = [];
    for (let i = 0; i < query.length; i++) if (query[i] !== 0) filled.push(i);
    let best: FaqMatch | undefined;
    for (const entry of this.entries) {
      let similarity = 0;
      for (const i of filled) similarity += query[i]! * entry.vector[i]!;
      if (!best || similarity > best.similarity) best = { chunk: entry.chunk, similarity };
    }
    return best;
  }
}
