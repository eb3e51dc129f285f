import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IdentifiedEmbeddings } from './embedder.ts';
import { SparseVectorIndex } from './sparse-vector-index.ts';

export type VectorHit = { index: number; similarity: number };

/** Vectors addressed by chunk position: HNSW for dense model embeddings, exact for sparse ones. */
export interface VectorStore {
  readonly kind: 'hnsw' | 'exact-sparse';
  readonly size: number;
  readonly dimensions: number;
  add(vectors: number[][], firstLabel: number): void;
  search(query: number[], k: number, accept?: (index: number) => boolean): VectorHit[];
  /**
   * For hashed features only: the share of the query's weight in features each chunk has too. (Dense
   * model embeddings have no features to count.)
   */
  coverage?(query: number[], indices: number[]): number[];
  /** The stored (normalised) vector of a chunk, so unchanged chunks need no new embedding. */
  vectorOf(index: number): number[];
  save(directory: string): Promise<void>;
}

/** The store for an embedder: sparse vectors (hashed features) are searched exactly, dense ones by HNSW. */
export function createVectorStore(embeddings: IdentifiedEmbeddings, dimensions: number, capacity: number, ef: number): VectorStore {
  return embeddings.sparse ? SparseVectorIndex.create(dimensions, capacity) : VectorIndex.create(dimensions, capacity, embeddings, ef);
}

/** Where a version directory keeps its vectors. */
export const vectorDirectory = (versionDirectory: string, kind: VectorStore['kind']) => path.join(versionDirectory, kind === 'hnsw' ? 'hnsw' : 'sparse');

/** Loads whichever store a version was built with. */
export async function loadVectorStore(versionDirectory: string, embeddings: IdentifiedEmbeddings, ef: number): Promise<VectorStore> {
  const sparse = vectorDirectory(versionDirectory, 'exact-sparse');
  if (await stat(path.join(sparse, 'meta.json')).catch(() => undefined)) return SparseVectorIndex.load(sparse);
  return VectorIndex.load(vectorDirectory(versionDirectory, 'hnsw'), embeddings, ef);
}

/** HNSW graph parameters: M links per node, efConstruction breadth while building. */
export const HNSW_GRAPH = { m: 16, efConstruction: 100, seed: 100 };

/**
 * LangChain's HNSWLib over hnswlib-node, addressed by chunk position. The graph is created with
 * its full capacity and explicit parameters, and filled batch by batch, so a large corpus never
 * holds all its vectors in JavaScript arrays. hnswlib's search breadth `ef` defaults to 10 and is
 * not saved with the index, so it is set after every build and load.
 */
export class VectorIndex implements VectorStore {
  readonly kind = 'hnsw';

  private constructor(
    private readonly store: HNSWLib,
    private readonly ef: number,
  ) {
    this.applyEf();
  }

  /** An empty index with room for `capacity` vectors. */
  static create(dimensions: number, capacity: number, embeddings: IdentifiedEmbeddings, ef: number): VectorIndex {
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    index.initIndex(Math.max(1, capacity), HNSW_GRAPH.m, HNSW_GRAPH.efConstruction, HNSW_GRAPH.seed);
    return new VectorIndex(new HNSWLib(embeddings, { space: 'cosine', numDimensions: dimensions, index }), ef);
  }

  static async load(directory: string, embeddings: IdentifiedEmbeddings, ef: number): Promise<VectorIndex> {
    return new VectorIndex(await HNSWLib.load(directory, embeddings), ef);
  }

  /** Adds vectors labelled from `firstLabel` on (their chunk positions). */
  add(vectors: number[][], firstLabel: number): void {
    const documents: Record<number, Document> = {};
    vectors.forEach((vector, i) => {
      this.store.index.addPoint(vector, firstLabel + i);
      documents[firstLabel + i] = new Document({ pageContent: '', metadata: { chunk: firstLabel + i } });
    });
    this.store.docstore.add(documents);
  }

  private applyEf(): void {
    if (this.store._index) this.store._index.setEf(this.ef);
  }

  get size(): number {
    return this.store._index?.getCurrentCount() ?? 0;
  }

  get dimensions(): number {
    return this.store.index.getNumDimensions();
  }

  get currentEf(): number | undefined {
    return this.store._index?.getEf();
  }

  async save(directory: string): Promise<void> {
    await this.store.save(directory);
  }

  vectorOf(index: number): number[] {
    return this.store.index.getPoint(index);
  }

  search(query: number[], k: number, accept?: (index: number) => boolean): VectorHit[] {
    const index = this.store._index;
    if (!index || index.getCurrentCount() === 0) return [];
    const limit = Math.min(k, index.getCurrentCount());
    const result = index.searchKnn(query, limit, accept);
    return result.neighbors.map((label, position) => ({ index: label, similarity: 1 - (result.distances[position] ?? 1) }));
  }
}
