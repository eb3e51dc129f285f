import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Embeddings } from '@langchain/core/embeddings';
import pg from 'pg';
import pino from 'pino';
import type { IdentifiedEmbeddings } from '../src/retrieval/embedder.ts';
import { LocalHashEmbeddings } from '../src/retrieval/local-embedder.ts';

/** A fresh temporary directory, removed by the returned cleanup. */
export async function temporaryDirectory(prefix = 'rongzhi-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const silentLogger = pino({ level: 'silent' });

/** A logger that keeps what it logs, as parsed lines, for tests to read. */
export function capturingLogger() {
  const lines: ({ level: number; msg?: string } & Record<string, unknown>)[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/**
 * Wraps an embedder and counts the texts it is asked to embed. It presents its vectors as dense
 * (HNSW) unless `sparse` says otherwise, so both vector stores can be exercised.
 */
export class CountingEmbeddings extends Embeddings implements IdentifiedEmbeddings {
  embeddedTexts: string[] = [];
  private readonly inner: IdentifiedEmbeddings;
  readonly sparse: boolean;

  constructor(inner: IdentifiedEmbeddings = new LocalHashEmbeddings({ dimensions: 256 }), options: { sparse?: boolean } = {}) {
    super({});
    this.inner = inner;
    this.sparse = options.sparse ?? false;
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
export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The first column of the first row of a query on the app's database (a count, say). */
export async function scalar(app: Pick<AppServices, 'sql'>, sql: string, params: unknown[] = []): Promise<unknown> {
  const row = await app.sql.get<Record<string, unknown>>(sql, params);
  return row ? Object.values(row)[0] : undefined;
}

// The PostgreSQL and Redis this machine runs (CI starts them if they are down).
export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A fresh PostgreSQL schema, so tests never see each other's rows: `url` is DATABASE_URL with the
 * schema as search path; `prefix` is a matching REDIS_PREFIX.
 */
export async function scratchSchema(): Promise<{ schema: string; url: string; prefix: string; drop(): Promise<void> }> {
  const schema = `rz_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    schema,
    url: `${TEST_DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    prefix: `${schema}:`,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    },
  };
}
