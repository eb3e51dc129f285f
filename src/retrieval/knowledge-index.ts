import type { Chunk } from '../knowledge/document.ts';
import type { IdentifiedEmbeddings } from './embedder.ts';
import { dropOverlapping, matchesFilter, reciprocalRankFusion, type SearchFilter } from './hybrid.ts';
import type { IndexManifest } from './index-store.ts';
import type { LexicalIndex } from './lexical-index.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { VectorStore } from './vector-index.ts';

export type SearchMode = 'hybrid' | 'lexical' | 'vector';

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

    const lexicalHits = mode === 'vector' ? [] : this.lexical.search(this.tokenizer.queryTerms(query), depth, accept);
    const vectorHits = mode === 'lexical' ? [] : this.vectors.search(await this.embeddings.embedQuery(query), depth, accept);

    let ranked: { index: number; score: number }[];
    if (mode === 'lexical') ranked = lexicalHits;
    else if (mode === 'vector') ranked = vectorHits.map((hit) => ({ index: hit.index, score: hit.similarity }));
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
