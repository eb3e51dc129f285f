import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import type { IdentifiedEmbeddings } from './embedder.ts';

export type VectorHit = { index: number; similarity: number };

/**
 * LangChain's HNSWLib over hnswlib-node, addressed by chunk position. hnswlib's search breadth
 * `ef` defaults to 10 and is not saved with the index, so it is set after every build and load.
 */
export class VectorIndex {
  private constructor(
    private readonly store: HNSWLib,
    private readonly ef: number,
  ) {
    this.applyEf();
  }

  static async build(vectors: number[][], embeddings: IdentifiedEmbeddings, ef: number): Promise<VectorIndex> {
    const dimensions = vectors[0]?.length ?? embeddings.dimensions;
    if (!dimensions) throw new Error('cannot build a vector index without vectors or known dimensions');
    if (!vectors.length) {
      // An empty knowledge base still gets a complete, loadable index.
      const empty = new hnswlib.HierarchicalNSW('cosine', dimensions);
      empty.initIndex(1);
      return new VectorIndex(new HNSWLib(embeddings, { space: 'cosine', numDimensions: dimensions, index: empty }), ef);
    }
    const store = new HNSWLib(embeddings, { space: 'cosine', numDimensions: dimensions });
    const documents = vectors.map((_, index) => new Document({ pageContent: '', metadata: { chunk: index } }));
    await store.addVectors(vectors, documents);
    return new VectorIndex(store, ef);
  }

  static async load(directory: string, embeddings: IdentifiedEmbeddings, ef: number): Promise<VectorIndex> {
    return new VectorIndex(await HNSWLib.load(directory, embeddings), ef);
  }

  private applyEf(): void {
    if (this.store._index) this.store._index.setEf(this.ef);
  }

  get size(): number {
    return this.store._index?.getCurrentCount() ?? 0;
  }

  get currentEf(): number | undefined {
    return this.store._index?.getEf();
  }

  async save(directory: string): Promise<void> {
    await this.store.save(directory);
  }

  /** The stored (normalised) vector of a chunk, so unchanged chunks need no new embedding. */
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
