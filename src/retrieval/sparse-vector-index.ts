import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bestOf } from './top-k.ts';
import type { VectorHit, VectorStore } from './vector-index.ts';

type Meta = { version: 1; dimensions: number; count: number; entries: number };

/**
 * Exact cosine search over sparse, normalised vectors — the local embedder's hashed n-grams fill a
 * tenth of their dimensions. Stored by chunk (each chunk's non-zero dimensions and values); searched
 * through the transpose (each dimension's chunks), so a query touches only the chunks that share a
 * feature with it. Exact, so nothing is missed; and building is one pass, with no graph to grow.
 */
export class SparseVectorIndex implements VectorStore {
  readonly kind = 'exact-sparse';
  private count = 0;
  private entries = 0;
  /** Chunk i's entries are [starts[i], starts[i + 1]) of `dims` and `values`. */
  private starts: Int32Array;
  private dims: Int32Array;
  private values: Float32Array;
  private transposed: { starts: Int32Array; chunks: Int32Array; values: Float32Array } | undefined;
  private scores: Float64Array | undefined;
  private shared: Float64Array | undefined;

  private constructor(
    readonly dimensions: number,
    capacity: number,
    entries?: { starts: Int32Array; dims: Int32Array; values: Float32Array; count: number },
  ) {
    this.starts = entries?.starts ?? new Int32Array(capacity + 1);
    this.dims = entries?.dims ?? new Int32Array(Math.max(1024, capacity * 128));
    this.values = entries?.values ?? new Float32Array(this.dims.length);
    this.count = entries?.count ?? 0;
    this.entries = this.starts[this.count]!;
  }

  static create(dimensions: number, capacity: number): SparseVectorIndex {
    return new SparseVectorIndex(dimensions, Math.max(1, capacity));
  }

  static async load(directory: string): Promise<SparseVectorIndex> {
    const meta = JSON.parse(await readFile(path.join(directory, 'meta.json'), 'utf8')) as Meta;
    if (meta.version !== 1) throw new Error(`sparse vector index version ${meta.version} is not readable`);
    const read = async (name: string) => {
      const buffer = await readFile(path.join(directory, name));
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    };
    const starts = new Int32Array(await read('starts.bin'));
    const dims = new Int32Array(await read('dims.bin'));
    const values = new Float32Array(await read('values.bin'));
    if (starts.length !== meta.count + 1 || dims.length !== meta.entries || values.length !== meta.entries || starts[meta.count] !== meta.entries) {
      throw new Error('sparse vector index files are inconsistent');
    }
    return new SparseVectorIndex(meta.dimensions, meta.count, { starts, dims, values, count: meta.count });
  }

  get size(): number {
    return this.count;
  }

  /** Adds vectors for chunks `firstLabel`, `firstLabel + 1`, …, which must follow the last one added. */
  add(vectors: number[][], firstLabel: number): void {
    if (firstLabel !== this.count) throw new Error(`sparse vectors must be added in order (expected label ${this.count}, got ${firstLabel})`);
    for (const vector of vectors) {
      if (vector.length !== this.dimensions) throw new Error(`vector has ${vector.length} dimensions, the index ${this.dimensions}`);
      if (this.count + 1 >= this.starts.length) this.starts = grow(this.starts, this.starts.length * 2);
      for (let d = 0; d < vector.length; d++) {
        const value = vector[d]!;
        if (value === 0) continue;
        if (this.entries >= this.dims.length) {
          this.dims = grow(this.dims, this.dims.length * 2);
          this.values = grow(this.values, this.dims.length);
        }
        this.dims[this.entries] = d;
        this.values[this.entries] = value;
        this.entries++;
      }
      this.starts[++this.count] = this.entries;
    }
    this.transposed = undefined;
  }

  vectorOf(index: number): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (let e = this.starts[index]!; e < this.starts[index + 1]!; e++) vector[this.dims[e]!] = this.values[e]!;
    return vector;
  }

  search(query: number[], k: number, accept?: (index: number) => boolean): VectorHit[] {
    if (this.count === 0 || k <= 0) return [];
    const { starts, chunks, values } = this.transpose();
    // Common characters reach most chunks, so scores are kept for all of them in one dense array,
    // cleared per query, then scanned once for the best k.
    if (!this.scores || this.scores.length < this.count) this.scores = new Float64Array(this.count);
    const scores = this.scores;
    scores.fill(0, 0, this.count);
    for (let d = 0; d < query.length; d++) {
      const weight = query[d]!;
      if (weight === 0) continue;
      const end = starts[d + 1]!;
      for (let e = starts[d]!; e < end; e++) scores[chunks[e]!]! += weight * values[e]!;
    }
    return bestOf(scores, this.count, k, accept).map((hit) => ({ index: hit.index, similarity: hit.score }));
  }

  /**
   * Per chunk: the share of the query's weight on dimensions the chunk has. Walks whichever is
   * shorter — the candidates' own entries, or the postings of the query's dimensions (a small
   * knowledge base, where a hundred candidates are most of it) — adding the same weights in the
   * same order either way.
   */
  coverage(query: number[], indices: number[]): number[] {
    let total = 0;
    for (const value of query) total += Math.abs(value);
    if (!total) return indices.map(() => 0);
    const { starts: postingStarts, chunks } = this.transpose();
    let viaPostings = this.count;
    for (let d = 0; d < query.length; d++) if (query[d] !== 0) viaPostings += postingStarts[d + 1]! - postingStarts[d]!;
    let viaCandidates = 0;
    for (const index of indices) viaCandidates += this.starts[index + 1]! - this.starts[index]!;
    if (viaPostings < viaCandidates) {
      if (!this.shared || this.shared.length < this.count) this.shared = new Float64Array(this.count);
      const shared = this.shared;
      shared.fill(0, 0, this.count);
      for (let d = 0; d < query.length; d++) {
        const weight = Math.abs(query[d]!);
        if (weight === 0) continue;
        const end = postingStarts[d + 1]!;
        for (let e = postingStarts[d]!; e < end; e++) shared[chunks[e]!]! += weight;
      }
      return indices.map((index) => shared[index]! / total);
    }
    return indices.map((index) => {
      let shared = 0;
      const end = this.starts[index + 1]!;
      for (let e = this.starts[index]!; e < end; e++) shared += Math.abs(query[this.dims[e]!]!);
      return shared / total;
    });
  }

  /** Each dimension's chunks and values, built once after the last add. */
  private transpose(): { starts: Int32Array; chunks: Int32Array; values: Float32Array } {
    if (this.transposed) return this.transposed;
    const starts = new Int32Array(this.dimensions + 1);
    for (let e = 0; e < this.entries; e++) starts[this.dims[e]! + 1]!++;
    for (let d = 0; d < this.dimensions; d++) starts[d + 1]! += starts[d]!;
    const next = starts.slice(0, this.dimensions);
    const chunks = new Int32Array(this.entries);
    const values = new Float32Array(this.entries);
    for (let chunk = 0; chunk < this.count; chunk++) {
      for (let e = this.starts[chunk]!; e < this.starts[chunk + 1]!; e++) {
        const slot = next[this.dims[e]!]!++;
        chunks[slot] = chunk;
        values[slot] = this.values[e]!;
      }
    }
    this.transposed = { starts, chunks, values };
    return this.transposed;
  }

  async save(directory: string): Promise<void> {
    await mkdir(directory, { recursive: true });
    const meta: Meta = { version: 1, dimensions: this.dimensions, count: this.count, entries: this.entries };
    await writeFile(path.join(directory, 'starts.bin'), this.starts.subarray(0, this.count + 1));
    await writeFile(path.join(directory, 'dims.bin'), this.dims.subarray(0, this.entries));
    await writeFile(path.join(directory, 'values.bin'), this.values.subarray(0, this.entries));
    // Written last: a directory without it is incomplete.
    await writeFile(path.join(directory, 'meta.json'), JSON.stringify(meta));
  }
}

function grow<T extends Int32Array | Float32Array>(array: T, length: number): T {
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array);
  return larger;
}

