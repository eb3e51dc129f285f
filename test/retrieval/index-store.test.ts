import { cp, readdir, readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexMismatchError } from '../../src/errors.ts';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import { loadDirectory } from '../../src/knowledge/loaders/index.ts';
import { buildIndex, currentVersion, hashOf, IndexMissingError, loadIndex, type IndexContext } from '../../src/retrieval/index-store.ts';
import { LocalHashEmbeddings } from '../../src/retrieval/local-embedder.ts';
import { Tokenizer } from '../../src/retrieval/tokenizer.ts';
import type { VectorIndex } from '../../src/retrieval/vector-index.ts';
import { CountingEmbeddings, temporaryDirectory } from '../helpers.ts';

const chunking = { size: 200, overlap: 40 };
const fusion = { rrfK: 60, lexicalWeight: 1, vectorWeight: 0.5 };

describe('index store', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let knowledgeDir: string;
  let context: IndexContext & { embeddings: CountingEmbeddings };
  let tokenizer: Tokenizer;

  beforeEach(async () => {
    ({ dir, cleanup } = await temporaryDirectory());
    knowledgeDir = path.join(dir, 'knowledge');
    await cp(path.resolve('knowledge'), knowledgeDir, { recursive: true });
    tokenizer = new Tokenizer(await loadGlossary(path.join(knowledgeDir, 'glossary.yaml')));
    context = { indexDir: path.join(dir, 'index'), embeddings: new CountingEmbeddings(), tokenizer, glossaryHash: 'g1', ef: 64, fusion };
  });
  afterEach(() => cleanup());

  async function build(previous?: Awaited<ReturnType<typeof loadIndex>>) {
    const { documents, skipped } = await loadDirectory(knowledgeDir);
    return buildIndex({ ...context, documents, skipped, chunking, previous });
  }

  it('refuses to load when nothing was ever built', async () => {
    await expect(loadIndex(context)).rejects.toBeInstanceOf(IndexMissingError);
  });

  it('round-trips BM25 and HNSW through disk: the loaded index answers exactly as the built one', async () => {
    const { index: built, report } = await build();
    expect(report.files).toBe(9);
    expect(report.chunks).toBe(built.chunks.length);
    const loaded = await loadIndex(context);
    expect(loaded.manifest).toEqual(built.manifest);
    expect(loaded.chunks).toEqual(built.chunks);
    expect(loaded.lexical.toJSON()).toEqual(built.lexical.toJSON());
    expect(loaded.vectors.size).toBe(built.chunks.length);
    // hnswlib does not persist ef: it must be set again after load.
    expect(loaded.vectors.kind).toBe('hnsw');
    expect((loaded.vectors as VectorIndex).currentEf).toBe(64);
    for (const question of ['邻里中心有多少房源', '生物医药企业服务驿站', '社工怎么考核']) {
      for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
        const before = await built.search(question, { k: 5, mode });
        const after = await loaded.search(question, { k: 5, mode });
        expect(after.map((hit) => [hit.chunk.id, hit.score.toFixed(6)])).toEqual(before.map((hit) => [hit.chunk.id, hit.score.toFixed(6)]));
        expect(after.length).toBeGreaterThan(0);
      }
    }
  });

  it('re-embeds only the chunks of a changed file, drops a removed one and adds a new one', async () => {
    const { index: first } = await build();
    const total = first.chunks.length;
    expect(context.embeddings.embeddedTexts).toHaveLength(total);

    context.embeddings.embeddedTexts = [];
    const { report: unchangedReport } = await build(first);
    expect(unchangedReport.embedded).toBe(0);
    expect(context.embeddings.embeddedTexts).toHaveLength(0);

    const file = path.join(knowledgeDir, 'neighbourhood-centres.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('14108间房源', '14108间房源（已核对）'));
    await rm(path.join(knowledgeDir, 'employee-services.md'));
    await writeFile(path.join(knowledgeDir, 'new-topic.md'), '---\ntitle: 新增测试主题\n---\n# 新增测试主题\n这是新增的一段说明文字。\n');

    const previous = await loadIndex(context);
    const { index, report } = await build(previous);
    const changedChunks = index.chunks.filter((chunk) => chunk.source === 'neighbourhood-centres.md').length;
    const newChunks = index.chunks.filter((chunk) => chunk.source === 'new-topic.md').length;
    expect(report.changed).toEqual(['neighbourhood-centres.md']);
    expect(report.added).toEqual(['new-topic.md']);
    expect(report.removed).toEqual(['employee-services.md']);
    expect(report.unchanged).toBe(7);
    expect(context.embeddings.embeddedTexts).toHaveLength(changedChunks + newChunks);
    expect(context.embeddings.embeddedTexts.every((text) => text.includes('邻里中心') || text.includes('新增测试主题'))).toBe(true);
    expect(index.chunks.some((chunk) => chunk.source === 'employee-services.md')).toBe(false);

    // Reused vectors still find their passages; the changed text is findable.
    const hits = await index.search('生物医药产业服务驿站', { k: 3, mode: 'vector' });
    expect(hits[0]!.chunk.text).toContain('生物医药产业服务驿站');
    const changed = await index.search('已核对的房源', { k: 3 });
    expect(changed.some((hit) => hit.chunk.text.includes('（已核对）'))).toBe(true);
  });

  it('refuses an index built with another embedder, naming both and saying to ingest again', async () => {
    await build();
    const other = { ...context, embeddings: new LocalHashEmbeddings({ dimensions: 512 }) };
    await expect(loadIndex(other)).rejects.toThrow(IndexMismatchError);
    await expect(loadIndex(other)).rejects.toThrow(/local-hash-v1 \(256 dimensions\).*local-hash-v1 \(512 dimensions\).*ingest` again/);
  });

  it('refuses an index of another schema version', async () => {
    await build();
    const version = await currentVersion(context.indexDir);
    const manifestFile = path.join(context.indexDir, version!, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, schemaVersion: 99 }));
    await expect(loadIndex(context)).rejects.toThrow(/schema version 99.*ingest` again/);
  });

  it('keeps the previous index loadable when the process dies between writing and switching', async () => {
    const { index: first } = await build();
    const before = await currentVersion(context.indexDir);
    await rm(path.join(knowledgeDir, 'policy-documents.md'));
    const { documents } = await loadDirectory(knowledgeDir);
    await expect(
      buildIndex({
        ...context,
        documents,
        chunking,
        previous: first,
        beforeCommit: () => {
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await currentVersion(context.indexDir)).toBe(before);
    const loaded = await loadIndex(context);
    expect(loaded.manifest.contentHash).toBe(first.manifest.contentHash);
    expect(Object.keys(loaded.manifest.sources)).toContain('policy-documents.md');

    // The next successful build cleans up what the crashed one left behind, and keeps the version it
    // replaces for an instance that may be loading it right now.
    const { report } = await buildIndex({ ...context, documents, chunking, previous: loaded });
    expect(report.removed).toEqual(['policy-documents.md']);
    const entries = (await readdir(context.indexDir)).sort();
    expect(entries).toEqual(['CURRENT', before!, report.version].sort());
  });

  it('rebuilds BM25 at load when the glossary changed since the build', async () => {
    const { index } = await build();
    const changed = { ...context, glossaryHash: hashOf('another glossary') };
    const loaded = await loadIndex(changed);
    expect(loaded.lexical.size).toBe(index.chunks.length);
  });

  it('builds and loads an empty knowledge base', async () => {
    const { index } = await buildIndex({ ...context, documents: [], chunking });
    expect(await index.search('房源', { k: 5 })).toEqual([]);
    const loaded = await loadIndex(context);
    expect(loaded.chunks).toEqual([]);
    expect(await loaded.search('房源', { k: 5 })).toEqual([]);
  });
});
