import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const number = () => z.coerce.number({ error: 'must be a number' });
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(emptyToUndefined, number().int('must be a whole number').min(min).max(max).default(fallback));
const decimal = (min: number, max: number) => z.preprocess(emptyToUndefined, number().min(min).max(max).optional());
const url = z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as http://127.0.0.1:8000/v1' }).optional());

/** Every environment variable RongZhi reads, with its default. `.env.example` documents the same list. */
const envSchema = z.object({
  PORT: integer(0, 65535, 3000),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  KNOWLEDGE_DIR: z.preprocess(emptyToUndefined, z.string().default('./knowledge')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: url,
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_DIMENSIONS: z.preprocess(emptyToUndefined, number().int('must be a whole number').min(1).max(65536).optional()),
  EMBEDDING_BATCH_SIZE: integer(1, 2048, 64),
  LOCAL_EMBEDDING_DIMENSIONS: integer(256, 65536, 2048),
  CHUNK_SIZE: integer(80, 4000, 320),
  CHUNK_OVERLAP: integer(0, 2000, 80),
  HNSW_EF: integer(10, 5000, 128),
  RRF_K: integer(1, 1000, 60),
  LEXICAL_WEIGHT: decimal(0, 10),
  VECTOR_WEIGHT: decimal(0, 10),
  ROSTER_FILE: z.preprocess(emptyToUndefined, z.string().default('config/roster.yaml')),
  ROOMS_FILE: z.preprocess(emptyToUndefined, z.string().default('config/rooms.yaml')),
  SLA_CHECK_SECONDS: integer(1, 3600, 15),
  CHAT_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
  ANSWER_TIMEOUT_MS: integer(500, 600_000, 15_000),
  ANSWER_MIN_RELEVANCE: z.preprocess(emptyToUndefined, number().min(0).max(1).default(0.15)),
  FAQ_MIN_SIMILARITY: z.preprocess(emptyToUndefined, number().min(0).max(1).default(0.8)),
  MEMORY_TTL_SECONDS: integer(10, 7 * 24 * 3600, 1800),
  UPSTREAM_TIMEOUT_MS: integer(100, 600_000, 20_000),
  UPSTREAM_MAX_RETRIES: integer(0, 10, 3),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  indexDir: string;
  knowledgeDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  openai: { apiKey: string | undefined; baseURL: string | undefined; timeoutMs: number; maxRetries: number };
  embedding:
    | { kind: 'local'; dimensions: number }
    | { kind: 'openai'; model: string; dimensions: number | undefined; batchSize: number };
  chunking: { size: number; overlap: number };
  retrieval: { ef: number; rrfK: number; lexicalWeight: number; vectorWeight: number };
  /** The chat model, when OPENAI_API_KEY is set; otherwise the assistant works offline. */
  chat: { model: string } | undefined;
  assistant: { answerTimeoutMs: number; minRelevance: number; faqMinSimilarity: number; memoryTtlSeconds: number };
  handoff: { rosterFile: string; roomsFile: string; slaCheckSeconds: number };
};

/**
 * Reads and validates the environment once; the only place that looks at `process.env`.
 * `defaults` lets an entry point change a default (the CLI logs less) without reading the environment itself.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  defaults: Record<string, string> = {},
): Config {
  const parsed = envSchema.safeParse({ ...defaults, ...env });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const value = env[name];
      return `${name} ${issue.message}${value === undefined ? '' : ` (it is "${value}")`}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.CHUNK_OVERLAP >= e.CHUNK_SIZE) {
    throw new ConfigError(
      `CHUNK_OVERLAP must be smaller than CHUNK_SIZE (it is ${e.CHUNK_OVERLAP}, CHUNK_SIZE is ${e.CHUNK_SIZE})`,
    );
  }
  if (e.EMBEDDING_MODEL && !e.OPENAI_API_KEY) {
    throw new ConfigError('EMBEDDING_MODEL is set but OPENAI_API_KEY is empty: set the key, or unset EMBEDDING_MODEL to use the local embedder');
  }
  const embedding: Config['embedding'] = e.EMBEDDING_MODEL
    ? { kind: 'openai', model: e.EMBEDDING_MODEL, dimensions: e.EMBEDDING_DIMENSIONS, batchSize: e.EMBEDDING_BATCH_SIZE }
    : { kind: 'local', dimensions: e.LOCAL_EMBEDDING_DIMENSIONS };
  // Hashed character n-grams are a weaker signal than BM25 over words, so the lexical side leads by default.
  const local = embedding.kind === 'local';
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    indexDir: path.join(dataDir, 'index'),
    knowledgeDir: path.resolve(e.KNOWLEDGE_DIR),
    logLevel: e.LOG_LEVEL,
    openai: { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL, timeoutMs: e.UPSTREAM_TIMEOUT_MS, maxRetries: e.UPSTREAM_MAX_RETRIES },
    embedding,
    chunking: { size: e.CHUNK_SIZE, overlap: e.CHUNK_OVERLAP },
    retrieval: {
      ef: e.HNSW_EF,
      rrfK: e.RRF_K,
      lexicalWeight: e.LEXICAL_WEIGHT ?? 1,
      vectorWeight: e.VECTOR_WEIGHT ?? (local ? 0.5 : 1),
    },
    chat: e.OPENAI_API_KEY ? { model: e.CHAT_MODEL } : undefined,
    assistant: {
      answerTimeoutMs: e.ANSWER_TIMEOUT_MS,
      minRelevance: e.ANSWER_MIN_RELEVANCE,
      faqMinSimilarity: e.FAQ_MIN_SIMILARITY,
      memoryTtlSeconds: e.MEMORY_TTL_SECONDS,
    },
    handoff: { rosterFile: path.resolve(e.ROSTER_FILE), roomsFile: path.resolve(e.ROOMS_FILE), slaCheckSeconds: e.SLA_CHECK_SECONDS },
  };
}

/** The names of every variable `loadConfig` reads (documented in `.env.example`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
