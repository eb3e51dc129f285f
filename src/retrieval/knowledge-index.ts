import type { Chunk } from '../knowledge/document.ts';
import type { IdentifiedEmbeddings } from './embedder.ts';
import { dropOverlapping, matchesFilter, reciprocalRankFusion, type SearchFilter } from './hybrid.ts';
import type { IndexManifest } from './index-store.ts';
import type { LexicalIndex } from './lexical-index.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { ScoredIndex } from './top-k.ts';
import type { VectorStore } from './vector-index.ts';

export type SearchMode = 'hybrid' | 'lexical' | 'vector';

/** How many of each retriever's best are re-ranked by how much of the question they contain. */
const COVERAGE_POOL = 100;

export type SearchOptions = { k: number; filter?: SearchFilter | undefined; mode?: SearchMode };

export type Hit = { rank: number; score: number; chunk: Chunk };

export interface Retriever {
  search(query: string, options: SearchOptions): Promise<Hit[]>;
}

export type FusionOptions = { rrfK: number; lexicalWeight: number; vectorWeight: number };

/** The text a chunk is indexed under: its document title and section give short chunks context. */
export function indexedText(chunk: Chunk): string {
  return `${chunk.title}\n${chunk.section}\n${chunk.text}`;
}

/** A loaded, searchable index: BM25 and HNSW over the same chunk list, fused by rank. */
export class KnowledgeIndex implements Retriever {
  constructor(
    readonly manifest: IndexManifest,
    readonly chunks: Chunk[],
    readonly lexical: LexicalIndex,
    readonly vectors: VectorStore,
    private readonly embeddings: IdentifiedEmbeddings,
    private readonly tokenizer: Tokenizer,
    private readonly fusion: FusionOptions,
  ) {}

  async search(query: string, options: SearchOptions): Promise<Hit[]> {
    const { k, filter } = options;
    const mode = options.mode ?? 'hybrid';
    if (!query.trim() || k <= 0 || this.chunks.length === 0) return [];
    const accept = filter ? (index: number) => matchesFilter(this.chunks[index]!, filter) : undefined;
    // Fetch more than k from each side: fusion reorders, and overlapping neighbours are dropped.
    const depth = Math.max(k * 4, 40);
    // Each side's best are re-ranked by score times the share of the question each chunk contains
    // (BM25's coordination factor; for hashed n-grams, the share of the question's n-grams), so a
    // chunk that repeats one word of a question does not outrank one that has all of it.
    const pool = Math.max(depth, COVERAGE_POOL);

    let lexicalHits: ScoredIndex[] = [];
    if (mode !== 'vector') {
      const terms = this.tokenizer.queryTerms(query);
      lexicalHits = byCoverage(this.lexical.search(terms, pool, accept), (indices) => this.lexical.coverage(terms, indices), depth);
    }
    let vectorHits: ScoredIndex[] = [];
    if (mode !== 'lexical') {
      const vector = await this.embeddings.embedQuery(query);
      // Dense model embeddings have no features to count: their nearest neighbours stand as found.
      const coverage = this.vectors.coverage?.bind(this.vectors);
      const hits = this.vectors.search(vector, coverage ? pool : depth, accept).map((hit) => ({ index: hit.index, score: hit.similarity }));
      vectorHits = coverage ? byCoverage(hits, (indices) => coverage(vector, indices), depth) : hits;
    }

    let ranked: { index: number; score: number }[];
    if (mode === 'lexical') ranked = lexicalHits;
    else if (mode === 'vector') ranked = vectorHits;
    else {
      ranked = reciprocalRankFusion(
        [
          { weight: this.fusion.lexicalWeight, indices: lexicalHits.map((hit) => hit.index) },
          { weight: this.fusion.vectorWeight, indices: vectorHits.map((hit) => hit.index) },
        ],
        this.fusion.rrfK,
      );
    }
    const unique = dropOverlapping(ranked.map((hit) => ({ score: hit.score, chunk: this.chunks[hit.index]! })));
    return unique.slice(0, k).map((hit, position) => ({ rank: position + 1, score: hit.score, chunk: hit.chunk }));
  }
}

/** Hits re-scored by score × coverage, best first (ties: lower index), the first `depth` of them. */
function byCoverage(hits: ScoredIndex[], coverage: (indices: number[]) => number[], depth: number): ScoredIndex[] {
  const shares = coverage(hits.map((hit) => hit.index));
  return hits
    .map((hit, i) => ({ index: hit.index, score: hit.score * shares[i]! }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, depth);
}
