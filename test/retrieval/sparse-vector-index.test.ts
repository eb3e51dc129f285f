import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { describe, expect, it } from 'vitest';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import { loadDirectory } from '../../src/knowledge/loaders/index.ts';
import { buildIndex, loadIndex } from '../../src/retrieval/index-store.ts';
import { LocalHashEmbeddings } from '../../src/retrieval/local-embedder.ts';
import { SparseVectorIndex } from '../../src/retrieval/sparse-vector-index.ts';
import { Tokenizer } from '../../src/retrieval/tokenizer.ts';
import { temporaryDirectory } from '../helpers.ts';

const embeddings = new LocalHashEmbeddings({ dimensions: 512 });
const texts = Array.from({ length: 400 }, (_, i) => `第${i}号通知：${['邻里中心房源登记', '企业社会工作站考核', '生物医药服务驿站', '技能培训报名', '宿舍维修安排'][i % 5]}，${i % 7}月${i % 28}日在${['医药港', '芯谷', '临江', '白杨', '大创'][i % 5]}社区办理。`);

describe('exact sparse vector search', () => {
  it('finds exactly what brute-force cosine search finds, with the same similarities', async () => {
    const vectors = await embeddings.embedDocuments(texts);
    const sparse = SparseVectorIndex.create(512, 10); // grows past its first capacity
    sparse.add(vectors.slice(0, 150), 0);
    sparse.add(vectors.slice(150), 150);
    const exact = new hnswlib.BruteforceSearch('cosine', 512);
    exact.initIndex(texts.length);
    vectors.forEach((vector, label) => exact.addPoint(vector, label));
    for (const question of ['邻里中心有多少房源', '芯谷的技能培训怎么报名', '生物医药', '宿舍坏了找谁修']) {
      const query = await embeddings.embedQuery(question);
      const truth = exact.searchKnn(query, 10);
      const found = sparse.search(query, 10);
      expect(found.map((hit) => hit.index)).toEqual(truth.neighbors);
      found.forEach((hit, i) => expect(hit.similarity).toBeCloseTo(1 - truth.distances[i]!, 5));
    }
    // A filter keeps only accepted chunks, still exactly ranked.
    const even = sparse.search(await embeddings.embedQuery('邻里中心'), 5, (index) => index % 2 === 0);
    expect(even).toHaveLength(5);
    expect(even.every((hit) => hit.index % 2 === 0)).toBe(true);
    expect(sparse.vectorOf(7)).toEqual(vectors[7]!.map((value) => Math.fround(value)));
    expect(() => sparse.add([vectors[0]!], 3)).toThrow(/in order/);
  });

  it('counts how much of a question each chunk contains', async () => {
    const notices = ['心理健康心理健康心理健康讲座', '开放日提供心理健康关怀等服务', '停车场下周整修'];
    const sparse = SparseVectorIndex.create(512, 3);
    sparse.add(await embeddings.embedDocuments(notices), 0);
    const query = await embeddings.embedQuery('有心理健康服务吗');
    const [repeating, answering, unrelated] = sparse.coverage(query, [0, 1, 2]);
    expect(answering).toBeGreaterThan(repeating!);
    expect(repeating).toBeGreaterThan(unrelated!);
    expect(sparse.coverage(query, [0])).toEqual([repeating]);
    // By cosine alone the repeating notice is the nearest (the knowledge index re-ranks by coverage).
    expect(sparse.search(query, 1)[0]!.index).toBe(0);
  });

  it('counts coverage the same whether it walks the candidates or the postings', async () => {
    const vectors = await embeddings.embedDocuments(texts);
    const sparse = SparseVectorIndex.create(512, texts.length);
    sparse.add(vectors, 0);
    const all = texts.map((_, i) => i);
    for (const question of ['芯谷的技能培训怎么报名', '宿舍坏了找谁修']) {
      const query = await embeddings.embedQuery(question);
      const total = query.reduce((sum, value) => sum + Math.abs(value), 0);
      // By definition: the query's weight on the dimensions a chunk has, over all of it.
      const expected = all.map((i) => sparse.vectorOf(i).reduce((sum, value, d) => sum + (value !== 0 ? Math.abs(query[d]!) : 0), 0) / total);
      const viaPostings = sparse.coverage(query, all); // every chunk: the query's postings are shorter
      const viaCandidates = sparse.coverage(query, [3, 1, 2]); // three chunks: their entries are shorter
      viaPostings.forEach((share, i) => expect(share).toBeCloseTo(expected[i]!, 12));
      expect(viaCandidates).toEqual([viaPostings[3], viaPostings[1], viaPostings[2]]);
      expect(new Set(viaPostings).size).toBeGreaterThan(3);
    }
  });

  it('is what the local embedder builds, round-trips through disk, and refuses damaged files', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const tokenizer = new Tokenizer(await loadGlossary(path.resolve('knowledge/glossary.yaml')));
    const context = { indexDir: path.join(dir, 'index'), embeddings, tokenizer, glossaryHash: 'g', ef: 64, fusion: { rrfK: 60, lexicalWeight: 1, vectorWeight: 0.5 } };
    const { documents } = await loadDirectory(path.resolve('knowledge'));
    const { index: built, report } = await buildIndex({ ...context, documents, chunking: { size: 200, overlap: 40 } });
    expect(built.vectors.kind).toBe('exact-sparse');
    const loaded = await loadIndex(context);
    expect(loaded.vectors.kind).toBe('exact-sparse');
    for (const question of ['邻里中心有多少房源', '社工怎么考核']) {
      const before = await built.search(question, { k: 5, mode: 'vector' });
      expect((await loaded.search(question, { k: 5, mode: 'vector' })).map((hit) => [hit.chunk.id, hit.score.toFixed(6)])).toEqual(before.map((hit) => [hit.chunk.id, hit.score.toFixed(6)]));
    }
    const sparseDir = path.join(context.indexDir, report.version, 'sparse');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(sparseDir, 'dims.bin'), Buffer.alloc(12));
    await expect(SparseVectorIndex.load(sparseDir)).rejects.toThrow(/inconsistent/);
    // Start-up says what is wrong and what to do, instead of a bare error.
    await expect(loadIndex(context)).rejects.toThrow(/vectors of the knowledge index .* are unreadable \(sparse vector index files are inconsistent\).*ingest` again/);
    await cleanup();
  });
});
