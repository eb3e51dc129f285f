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

import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../src/assistant/types.ts';
import { createApp, type AppOverrides, type AppServices } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

let counter = 0;

/** An inbound message as a channel would deliver it; direct chat unless told otherwise. */
export function message(text: string, overrides: Partial<Omit<InboundMessage, 'text'>> & { group?: string; user?: string } = {}): InboundMessage {
  const { group, user, ...rest } = overrides;
  counter++;
  // Each message is its own user unless one is named: a test's conversation never leaks into another's.
  const sender = user ?? `user-${counter}`;
  return {
    id: rest.id ?? `m-${counter}-${randomUUID().slice(0, 8)}`,
    channel: rest.channel ?? 'test',
    at: rest.at ?? new Date(),
    conversation: rest.conversation ?? (group ? { id: group, kind: 'group', title: group } : { id: `dm-${sender}`, kind: 'direct' }),
    sender: rest.sender ?? { id: sender, name: sender },
    text,
    mentionsBot: rest.mentionsBot ?? true,
  };
}

/** A whole app on a temporary DATA_DIR with the shipped knowledge base indexed. */
export async function testApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<AppServices & { cleanup: () => Promise<void> }> {
  const temporary = await temporaryDirectory();
  const app = await createApp(loadConfig({ DATA_DIR: temporary.dir, ...env }), silentLogger, overrides);
  await app.knowledge.ingest();
  return {
    ...app,
    cleanup: async () => {
      await app.close();
      await temporary.cleanup();
    },
  };
}

/** Polls until `probe` returns something truthy, or fails after `ms`. */
export async function waitFor<T>(probe: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
