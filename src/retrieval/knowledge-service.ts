import path from 'node:path';
import type { Logger } from 'pino';
import type { Timings } from '../timings.ts';
import { IndexMismatchError } from '../errors.ts';
import type { ChunkOptions } from '../knowledge/chunker.ts';
import type { KnowledgeDocument } from '../knowledge/document.ts';
import { loadDirectory } from '../knowledge/loaders/index.ts';
import { buildIndex, IndexMissingError, loadIndex, type BuildProgress, type BuildReport, type IndexContext } from './index-store.ts';
import type { Hit, KnowledgeIndex, Retriever, SearchOptions } from './knowledge-index.ts';

/** Owns the current knowledge index: loads it, rebuilds it from the knowledge directory, searches it. */
export class KnowledgeService implements Retriever {
  private current: KnowledgeIndex | undefined;
  private readonly published: ((index: KnowledgeIndex) => void)[] = [];

  constructor(
    private readonly context: IndexContext & { knowledgeDir: string; chunking: ChunkOptions; logger: Logger; timings?: Timings },
  ) {}

  get index(): KnowledgeIndex | undefined {
    return this.current;
  }

  get knowledgeDir(): string {
    return this.context.knowledgeDir;
  }

  async load(): Promise<KnowledgeIndex> {
    this.current = await loadIndex(this.context);
    return this.current;
  }

  /** Called when this process has built and published a new index version (not when it loads one). */
  onPublished(listener: (index: KnowledgeIndex) => void): void {
    this.published.push(listener);
  }

  /**
   * Loads the published version when it is not the one served: after another instance re-indexed.
   * `expected` is the content hash that instance announced; true when the served index changed.
   */
  async follow(expected?: string): Promise<boolean> {
    const before = this.current?.manifest.contentHash;
    if (expected !== undefined && before === expected) return false;
    const index = await this.load();
    const changed = index.manifest.contentHash !== before;
    if (changed) this.context.logger.info({ contentHash: index.manifest.contentHash, chunks: index.chunks.length }, 'knowledge index reloaded: another instance published it');
    if (expected !== undefined && index.manifest.contentHash !== expected) {
      this.context.logger.warn({ expected, found: index.manifest.contentHash, indexDir: this.context.indexDir }, 'the announced knowledge index is not in the index directory: is DATA_DIR shared by every instance?');
    }
    return changed;
  }

  /** At start: load the index, or build it when there is none yet. An incompatible index is refused. */
  async loadOrBuild(): Promise<KnowledgeIndex> {
    try {
      return await this.load();
    } catch (error) {
      if (!(error instanceof IndexMissingError)) throw error;
      this.context.logger.info({ knowledgeDir: this.context.knowledgeDir }, 'no knowledge index yet: building it');
      const report = await this.ingest();
      this.context.logger.info({ files: report.files, chunks: report.chunks, skipped: report.skipped.length }, 'knowledge index built');
      return this.current!;
    }
  }

  /** Re-indexes a knowledge directory incrementally and makes the result current. */
  async ingest(options: { dir?: string; onProgress?: (progress: BuildProgress) => void } = {}): Promise<BuildReport> {
    const dir = path.resolve(options.dir ?? this.context.knowledgeDir);
    let previous = this.current;
    if (!previous) {
      try {
        previous = await loadIndex(this.context);
      } catch (error) {
        if (error instanceof IndexMismatchError) {
          this.context.logger.warn({ reason: error.message }, 'existing index is incompatible: rebuilding every document');
        } else if (!(error instanceof IndexMissingError)) throw error;
      }
    }
    const { documents, skipped } = await loadDirectory(dir);
    for (const file of skipped) this.context.logger.warn({ file: file.source, reason: file.reason }, 'skipped a knowledge file');
    const { index, report } = await buildIndex({
      ...this.context,
      documents,
      skipped,
      previous,
      ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
    });
    this.current = index;
    for (const listener of this.published) listener(index);
    return report;
  }

  /**
   * The index the knowledge base would have with `document` added or replaced, built in memory and
   * not published: what an upload is evaluated on before it goes live.
   */
  async candidate(document: KnowledgeDocument): Promise<KnowledgeIndex> {
    const { documents } = await loadDirectory(this.context.knowledgeDir);
    const staged = [...documents.filter((existing) => existing.source !== document.source), document];
    const { index } = await buildIndex({ ...this.context, documents: staged, previous: this.current, persist: false });
    return index;
  }

  async search(query: string, options: SearchOptions): Promise<Hit[]> {
    const index = this.current ?? (await this.load());
    return this.context.timings ? this.context.timings.time('retrieval', () => index.search(query, options)) : index.search(query, options);
  }
}
