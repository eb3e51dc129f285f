import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Embeddings } from '@langchain/core/embeddings';
import pino from 'pino';
import type { IdentifiedEmbeddings } from '../src/retrieval/embedder.ts';
import { LocalHashEmbeddings } from '../src/retrieval/local-embedder.ts';

/** A fresh temporary directory, removed by the returned cleanup. */
export async function temporaryDirectory(prefix = 'rongzhi-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const silentLogger = pino({ level: 'silent' });

/** Wraps an embedder and counts the texts it is asked to embed. */
export class CountingEmbeddings extends Embeddings implements IdentifiedEmbeddings {
  embeddedTexts: string[] = [];
  private readonly inner: IdentifiedEmbeddings;

  constructor(inner: IdentifiedEmbeddings = new LocalHashEmbeddings({ dimensions: 256 })) {
    super({});
    this.inner = inner;
  }

  get id(): string {
    return this.inner.id;
  }

  get dimensions(): number | undefined {
    return this.inner.dimensions;
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    this.embeddedTexts.push(...texts);
    return this.inner.embedDocuments(texts);
  }

  override embedQuery(text: string): Promise<number[]> {
    return this.inner.embedQuery(text);
  }
}
