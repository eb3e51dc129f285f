// One corpus size, measured in its own process so that memory readings belong to that size alone.
// Prints one JSON document on stdout.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { loadConfig } from '../src/config.ts';
import { parseEvalFile } from '../src/eval/eval-file.ts';
import { evaluateRetrieval } from '../src/eval/retrieval-eval.ts';
import { loadGlossary } from '../src/knowledge/glossary.ts';
import { loadDirectory } from '../src/knowledge/loaders/index.ts';
import { buildIndex, hashOf, loadIndex } from '../src/retrieval/index-store.ts';
import type { SearchMode } from '../src/retrieval/knowledge-index.ts';
import { LocalHashEmbeddings } from '../src/retrieval/local-embedder.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { VectorIndex } from '../src/retrieval/vector-index.ts';
import { syntheticDocuments } from './corpus.ts';

const size = Number(process.argv[2]);
const workDir = process.argv[3]!;
// The environment's retrieval settings (HNSW_EF, LOCAL_EMBEDDING_DIMENSIONS, …) apply, as they would to the server.
const config = loadConfig({ ...process.env, DATA_DIR: workDir, LOG_LEVEL: 'silent' });

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

const glossary = await loadGlossary(path.join(config.knowledgeDir, 'glossary.yaml'));
const tokenizer = new Tokenizer(glossary);
const embeddings = new LocalHashEmbeddings({ dimensions: config.embedding.kind === 'local' ? config.embedding.dimensions : 2048 });
const { documents: real } = await loadDirectory(config.knowledgeDir);
const realChunkCount = 39;
const synthetic = syntheticDocuments(Math.max(0, Math.round((size - realChunkCount) / 10)), real.map((document) => document.text).join('\n'), tokenizer, 20261126);
const context = { indexDir: config.indexDir, embeddings, tokenizer, glossaryHash: hashOf(JSON.stringify(glossary)), ef: config.retrieval.ef, fusion: config.retrieval };

const started = performance.now();
const { report } = await buildIndex({ ...context, documents: [...real, ...synthetic], chunking: config.chunking });
const buildSeconds = (performance.now() - started) / 1000;
const diskBytes = await directorySize(config.indexDir);
global.gc?.();
const index = await loadIndex(context);
global.gc?.();
const rssMb = process.memoryUsage().rss / 1024 / 1024;

const lines = parseEvalFile(await readFile(path.resolve('test/eval/questions.jsonl'), 'utf8')).filter((line) => line.expect?.length);
const questions = lines.map((line) => line.question);
const latencies: Record<SearchMode | 'exact', number[]> = { lexical: [], vector: [], hybrid: [], exact: [] };
for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
  for (const question of questions) await index.search(question, { k: 5, mode }); // warm-up
  for (let round = 0; round < 3; round++) {
    for (const question of questions) {
      const t = performance.now();
      await index.search(question, { k: 5, mode });
      latencies[mode].push(performance.now() - t);
    }
  }
}

// Exact search: every vector compared with the query, the baseline both vector indexes are measured against.
const exact = new hnswlib.BruteforceSearch('cosine', index.vectors.dimensions);
exact.initIndex(index.chunks.length);
for (let label = 0; label < index.chunks.length; label++) exact.addPoint(index.vectors.vectorOf(label), label);
// An HNSW graph over the same vectors, as dense model embeddings get it: its build time, latency
// at the configured ef and recall. (The local embedder's sparse vectors are searched exactly.)
const hnswStarted = performance.now();
const hnsw = VectorIndex.create(index.vectors.dimensions, index.chunks.length, embeddings, config.retrieval.ef);
for (let start = 0; start < index.chunks.length; start += 256) {
  hnsw.add(Array.from({ length: Math.min(256, index.chunks.length - start) }, (_, i) => index.vectors.vectorOf(start + i)), start);
}
const hnswBuildSeconds = (performance.now() - hnswStarted) / 1000;
const hnswLatencies: number[] = [];
const recall = { store: 0, hnsw: 0 };
for (const question of questions) {
  const vector = await embeddings.embedQuery(question);
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    exact.searchKnn(vector, 10);
    latencies.exact.push(performance.now() - t);
    t = performance.now();
    hnsw.search(vector, 10);
    hnswLatencies.push(performance.now() - t);
  }
  const truth = new Set(exact.searchKnn(vector, 10).neighbors);
  const overlap = (labels: number[]) => labels.filter((label) => truth.has(label)).length / Math.min(10, truth.size);
  recall.store += overlap(index.vectors.search(vector, 10).map((hit) => hit.index));
  recall.hnsw += overlap(hnsw.search(vector, 10).map((hit) => hit.index));
}
const quality = await evaluateRetrieval(index, lines, 'hybrid');

const p = (values: number[]) => ({ p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), p99: round(percentile(values, 99)) });
process.stdout.write(
  `${JSON.stringify({
    chunks: report.chunks,
    buildSeconds: round(buildSeconds, 2),
    chunksPerSecond: Math.round(report.chunks / buildSeconds),
    diskMb: round(diskBytes / 1024 / 1024, 1),
    rssMb: Math.round(rssMb),
    latencyMs: { lexical: p(latencies.lexical), vector: p(latencies.vector), hybrid: p(latencies.hybrid), exact: p(latencies.exact), hnsw: p(hnswLatencies) },
    recallAt5: quality.scores['recall@5'],
    mrr: quality.scores.mrr,
    vectorIndex: index.vectors.kind,
    vectorRecallAt10: round(recall.store / questions.length, 4),
    hnswRecallAt10: round(recall.hnsw / questions.length, 4),
    hnswBuildSeconds: round(hnswBuildSeconds, 2),
    ef: config.retrieval.ef,
  })}\n`,
);
