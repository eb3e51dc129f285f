import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, IndexMismatchError } from '../errors.ts';
import { chunkDocument, type ChunkOptions } from '../knowledge/chunker.ts';
import type { Chunk, KnowledgeDocument, SkippedFile } from '../knowledge/document.ts';
import type { IdentifiedEmbeddings } from './embedder.ts';
import { indexedText, KnowledgeIndex, type FusionOptions } from './knowledge-index.ts';
import { LexicalIndex } from './lexical-index.ts';
import type { Tokenizer } from './tokenizer.ts';
import { createVectorStore, loadVectorStore, vectorDirectory, type VectorStore } from './vector-index.ts';

/** Bump when the on-disk layout or the meaning of a stored field changes. */
export const SCHEMA_VERSION = 1;
const CURRENT = 'CURRENT';
const ABANDONED_AFTER_MS = 15 * 60_000;
const REINDEX_HINT = 'run `npm run -s cli -- ingest` again to rebuild it';

const manifestSchema = z.object({
  schemaVersion: z.number(),
  embedder: z.object({ id: z.string(), dimensions: z.number() }),
  chunking: z.object({ size: z.number(), overlap: z.number() }),
  glossaryHash: z.string(),
  builtAt: z.string(),
  contentHash: z.string(),
  chunkCount: z.number(),
  sources: z.record(
    z.string(),
    z.object({ hash: z.string(), title: z.string(), format: z.string(), chunks: z.number(), indexedAt: z.string() }),
  ),
});

export type IndexManifest = z.infer<typeof manifestSchema>;

export class IndexMissingError extends AppError {
  constructor(indexDir: string) {
    super('index_missing', `No knowledge index in ${indexDir}: ${REINDEX_HINT.replace('again ', '')}`);
  }
}

export type IndexContext = {
  indexDir: string;
  embeddings: IdentifiedEmbeddings;
  tokenizer: Tokenizer;
  glossaryHash: string;
  ef: number;
  fusion: FusionOptions;
};

export type BuildProgress = { phase: 'embed'; done: number; total: number };

export type BuildReport = {
  files: number;
  chunks: number;
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  embedded: number;
  skipped: SkippedFile[];
  seconds: number;
  version: string;
};

export type BuildInput = IndexContext & {
  documents: KnowledgeDocument[];
  skipped?: SkippedFile[];
  chunking: ChunkOptions;
  /** The index being replaced: unchanged sources keep its chunks and vectors. */
  previous?: KnowledgeIndex | undefined;
  onProgress?: (progress: BuildProgress) => void;
  /** Called after the new version is on disk and before it becomes current (tests simulate a crash here). */
  beforeCommit?: () => void | Promise<void>;
  /** false: build in memory only (a candidate to evaluate before publishing). */
  persist?: boolean;
};

export function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function canReuse(previous: KnowledgeIndex | undefined, input: BuildInput): previous is KnowledgeIndex {
  if (!previous) return false;
  const manifest = previous.manifest;
  return (
    manifest.schemaVersion === SCHEMA_VERSION &&
    manifest.embedder.id === input.embeddings.id &&
    (input.embeddings.dimensions === undefined || manifest.embedder.dimensions === input.embeddings.dimensions) &&
    manifest.chunking.size === input.chunking.size &&
    manifest.chunking.overlap === input.chunking.overlap
  );
}

/**
 * Builds a new index version from documents. Only added and changed sources are chunked and
 * embedded again; unchanged ones keep their chunks and stored vectors. The new version is written
 * to a temporary directory, renamed, and only then made current, so a crash at any point leaves
 * the previous version in place and loadable.
 */
export async function buildIndex(input: BuildInput): Promise<{ index: KnowledgeIndex; report: BuildReport }> {
  const started = performance.now();
  const previous = canReuse(input.previous, input) ? input.previous : undefined;
  const previousSources = previous?.manifest.sources ?? {};
  const documents = [...input.documents].sort((a, b) => a.source.localeCompare(b.source));

  // Where each chunk's vector comes from: the previous index (unchanged source) or the embedder.
  const chunks: Chunk[] = [];
  const reusedFrom: (number | undefined)[] = [];
  const added: string[] = [];
  const changed: string[] = [];
  let unchanged = 0;
  // The previous index's chunk positions by source, found in one pass (not one pass per document).
  const previousPositions = new Map<string, number[]>();
  previous?.chunks.forEach((chunk, oldIndex) => {
    const positions = previousPositions.get(chunk.source);
    if (positions) positions.push(oldIndex);
    else previousPositions.set(chunk.source, [oldIndex]);
  });
  for (const document of documents) {
    const before = previousSources[document.source];
    if (previous && before?.hash === document.contentHash) {
      unchanged++;
      for (const oldIndex of previousPositions.get(document.source) ?? []) {
        chunks.push(previous.chunks[oldIndex]!);
        reusedFrom.push(oldIndex);
      }
      continue;
    }
    (before ? changed : added).push(document.source);
    for (const chunk of chunkDocument(document, input.chunking)) {
      chunks.push(chunk);
      reusedFrom.push(undefined);
    }
  }
  const present = new Set(documents.map((document) => document.source));
  const removed = Object.keys(input.previous?.manifest.sources ?? {}).filter((source) => !present.has(source));

  // Vectors go into the graph batch by batch, in chunk order: a large corpus never holds them all.
  const toEmbed = reusedFrom.filter((from) => from === undefined).length;
  const batch = 64;
  let vectorIndex: VectorStore | undefined;
  let embeddedSoFar = 0;
  input.onProgress?.({ phase: 'embed', done: 0, total: toEmbed });
  for (let start = 0; start < chunks.length; start += batch) {
    const positions = Array.from({ length: Math.min(batch, chunks.length - start) }, (_, i) => start + i);
    const fresh = positions.filter((position) => reusedFrom[position] === undefined);
    const embedded = fresh.length ? await input.embeddings.embedDocuments(fresh.map((position) => indexedText(chunks[position]!))) : [];
    const byPosition = new Map(fresh.map((position, i) => [position, embedded[i]!]));
    const vectors = positions.map((position) => byPosition.get(position) ?? previous!.vectors.vectorOf(reusedFrom[position]!));
    vectorIndex ??= createVectorStore(input.embeddings, vectors[0]!.length, chunks.length, input.ef);
    vectorIndex.add(vectors, start);
    if (fresh.length) {
      embeddedSoFar += fresh.length;
      input.onProgress?.({ phase: 'embed', done: embeddedSoFar, total: toEmbed });
    }
  }
  const dimensions = vectorIndex ? undefined : (input.embeddings.dimensions ?? previous?.manifest.embedder.dimensions);
  if (!vectorIndex) {
    if (!dimensions) {
      // Nothing to embed and no known length: ask the embedder once.
      vectorIndex = createVectorStore(input.embeddings, (await input.embeddings.embedQuery('维度')).length, 0, input.ef);
    } else vectorIndex = createVectorStore(input.embeddings, dimensions, 0, input.ef);
  }

  const lexical = LexicalIndex.build(chunks.map(indexedText), input.tokenizer);
  const builtAt = new Date().toISOString();
  const sources: IndexManifest['sources'] = {};
  const chunkCounts = new Map<string, number>();
  for (const chunk of chunks) chunkCounts.set(chunk.source, (chunkCounts.get(chunk.source) ?? 0) + 1);
  for (const document of documents) {
    const reused = previousSources[document.source];
    sources[document.source] = {
      hash: document.contentHash,
      title: document.title,
      format: document.format,
      chunks: chunkCounts.get(document.source) ?? 0,
      indexedAt: reused && reused.hash === document.contentHash && previous ? reused.indexedAt : builtAt,
    };
  }
  const manifest: IndexManifest = {
    schemaVersion: SCHEMA_VERSION,
    embedder: { id: input.embeddings.id, dimensions: vectorIndex.dimensions },
    chunking: { size: input.chunking.size, overlap: input.chunking.overlap },
    glossaryHash: input.glossaryHash,
    builtAt,
    contentHash: hashOf(
      JSON.stringify([SCHEMA_VERSION, input.embeddings.id, input.chunking, input.glossaryHash, documents.map((d) => [d.source, d.contentHash])]),
    ),
    chunkCount: chunks.length,
    sources,
  };

  let version = 'candidate';
  if (input.persist !== false) {
    version = await writeVersion(input.indexDir, manifest, chunks, lexical, vectorIndex);
    await input.beforeCommit?.();
    await commitVersion(input.indexDir, version);
  }

  const index = new KnowledgeIndex(manifest, chunks, lexical, vectorIndex, input.embeddings, input.tokenizer, input.fusion);
  return {
    index,
    report: {
      files: documents.length,
      chunks: chunks.length,
      added,
      changed,
      removed,
      unchanged,
      embedded: toEmbed,
      skipped: input.skipped ?? [],
      seconds: (performance.now() - started) / 1000,
      version,
    },
  };
}

async function writeVersion(
  indexDir: string,
  manifest: IndexManifest,
  chunks: Chunk[],
  lexical: LexicalIndex,
  vectors: VectorStore,
): Promise<string> {
  await mkdir(indexDir, { recursive: true });
  const version = `v-${manifest.builtAt.replace(/[-:.TZ]/g, '')}-${randomBytes(3).toString('hex')}`;
  const temporary = path.join(indexDir, `.tmp-${version}`);
  await mkdir(temporary, { recursive: true });
  await writeFile(path.join(temporary, 'chunks.json'), JSON.stringify(chunks));
  await writeFile(path.join(temporary, 'lexical.json'), JSON.stringify(lexical.toJSON()));
  await vectors.save(vectorDirectory(temporary, vectors.kind));
  await writeFile(path.join(temporary, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await rename(temporary, path.join(indexDir, version));
  return version;
}

/**
 * Points CURRENT at a version with one atomic rename, then removes versions no longer needed. The
 * version it replaces is kept: another instance may be loading it at this moment.
 */
async function commitVersion(indexDir: string, version: string): Promise<void> {
  const previous = await currentVersion(indexDir);
  const pointer = path.join(indexDir, `.${CURRENT}.${randomBytes(3).toString('hex')}`);
  await writeFile(pointer, `${version}\n`);
  await rename(pointer, path.join(indexDir, CURRENT));
  for (const entry of await readdir(indexDir)) {
    if (entry === CURRENT || entry === version || entry === previous) continue;
    // A dot entry may be another instance's build in progress; only an old one is a crash's leftover.
    if (entry.startsWith('.') && !(await abandoned(path.join(indexDir, entry)))) continue;
    await rm(path.join(indexDir, entry), { recursive: true, force: true });
  }
}

async function abandoned(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ABANDONED_AFTER_MS;
}

/** The version CURRENT names, or undefined when no index was ever committed. */
export async function currentVersion(indexDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(indexDir, CURRENT), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Loads the current index version, refusing one built with another embedder or schema. When another
 * instance publishes (and cleans up) while this one reads, it reads the newer version instead.
 */
export async function loadIndex(context: IndexContext): Promise<KnowledgeIndex> {
  for (let attempt = 1; ; attempt++) {
    const version = await currentVersion(context.indexDir);
    if (!version) throw new IndexMissingError(context.indexDir);
    try {
      return await loadVersion(context, version);
    } catch (error) {
      if (attempt >= 3 || (await currentVersion(context.indexDir)) === version) throw error;
    }
  }
}

async function loadVersion(context: IndexContext, version: string): Promise<KnowledgeIndex> {
  const directory = path.join(context.indexDir, version);
  let manifest: IndexManifest;
  try {
    const raw = JSON.parse(await readFile(path.join(directory, 'manifest.json'), 'utf8'));
    if (raw?.schemaVersion !== SCHEMA_VERSION) {
      throw new IndexMismatchError(
        `The knowledge index in ${context.indexDir} has schema version ${raw?.schemaVersion ?? 'unknown'}, this version of RongZhi reads ${SCHEMA_VERSION}: ${REINDEX_HINT}`,
      );
    }
    manifest = manifestSchema.parse(raw);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new IndexMismatchError(`The knowledge index manifest in ${directory} is unreadable (${(error as Error).message}): ${REINDEX_HINT}`);
  }
  const { embeddings } = context;
  if (
    manifest.embedder.id !== embeddings.id ||
    (embeddings.dimensions !== undefined && manifest.embedder.dimensions !== embeddings.dimensions)
  ) {
    throw new IndexMismatchError(
      `The knowledge index was built with the embedder ${manifest.embedder.id} (${manifest.embedder.dimensions} dimensions), ` +
        `but the configuration uses ${embeddings.id} (${embeddings.dimensions ?? 'unknown'} dimensions): ${REINDEX_HINT}`,
    );
  }
  const chunks = JSON.parse(await readFile(path.join(directory, 'chunks.json'), 'utf8')) as Chunk[];
  const lexical =
    manifest.glossaryHash === context.glossaryHash
      ? LexicalIndex.fromJSON(JSON.parse(await readFile(path.join(directory, 'lexical.json'), 'utf8')))
      : // The glossary changes how text is cut into words; rebuilding BM25 takes milliseconds.
        LexicalIndex.build(chunks.map(indexedText), context.tokenizer);
  const vectors = await loadVectorStore(directory, embeddings, context.ef).catch((error: Error) => {
    throw new IndexMismatchError(`The vectors of the knowledge index in ${directory} are unreadable (${error.message}): ${REINDEX_HINT}`);
  });
  if (vectors.size !== chunks.length || lexical.size !== chunks.length || manifest.chunkCount !== chunks.length) {
    throw new IndexMismatchError(`The knowledge index in ${directory} is inconsistent (chunk counts differ): ${REINDEX_HINT}`);
  }
  return new KnowledgeIndex(manifest, chunks, lexical, vectors, embeddings, context.tokenizer, context.fusion);
}
