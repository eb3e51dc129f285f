import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
// "must be a number" only when it is not one: a number out of range gets zod's "Too big/small" message.
const number = () => z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a number' : undefined) });
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
  CHAT_API_KEYS: optionalString,
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  COOKIE_SECURE: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
  EVAL_FILE: z.preprocess(emptyToUndefined, z.string().default('test/eval/questions.jsonl')),
  UPLOAD_LIMIT_MB: integer(1, 200, 10),
  RATE_LIMIT_PER_IP: integer(1, 100000, 300),
  RATE_LIMIT_CHAT_PER_USER: integer(1, 10000, 20),
  ADMIN_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  WECHATY_PUPPET: optionalString,
  WECHATY_PUPPET_SERVICE_TOKEN: optionalString,
  GROUP_PREFIXES: z.preprocess(emptyToUndefined, z.string().default('小融')),
  RATE_LIMIT_PER_SENDER: integer(1, 1000, 8),
  RATE_LIMIT_PER_GROUP: integer(1, 10000, 30),
  WECOM_BOT_TOKEN: optionalString,
  WECOM_BOT_AES_KEY: optionalString,
  WECOM_CORP_ID: optionalString,
  WECOM_APP_TOKEN: optionalString,
  WECOM_APP_AES_KEY: optionalString,
  WECOM_AGENT_ID: optionalString,
  WECOM_APP_SECRET: optionalString,
  WECOM_API_BASE: z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as https://qyapi.weixin.qq.com' }).default('https://qyapi.weixin.qq.com')),
  CHAT_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
  ANSWER_TIMEOUT_MS: integer(500, 600_000, 15_000),
  ANSWER_MIN_RELEVANCE: z.preprocess(emptyToUndefined, number().min(0).max(1).default(0.15)),
  FAQ_MIN_SIMILARITY: z.preprocess(emptyToUndefined, number().min(0).max(1).default(0.8)),
  MEMORY_TTL_SECONDS: integer(10, 7 * 24 * 3600, 1800),
  UPSTREAM_TIMEOUT_MS: integer(100, 600_000, 20_000),
  UPSTREAM_MAX_RETRIES: integer(0, 10, 3),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL such as postgres://rongzhi@db.internal:5432/rongzhi').optional()),
  REDIS_URL: z.preprocess(emptyToUndefined, z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL such as redis://127.0.0.1:6379').optional()),
  REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().default('rongzhi:')),
  INSTANCE_ID: optionalString,
  LEASE_SECONDS: integer(2, 600, 30),
});

export type ChatApiKey = { name: string; key: string };

/**
 * `CHAT_API_KEYS`: comma-separated `name:key` pairs or bare keys. A system's web users belong to its
 * name, so its key can be replaced without losing them; a bare key is named by its own digest.
 */
export function parseChatApiKeys(value: string | undefined): ChatApiKey[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const named = /^([A-Za-z0-9_-]+):(.+)$/.exec(entry);
      return named ? { name: named[1]!, key: named[2]! } : { name: createHash('sha256').update(entry).digest('hex').slice(0, 16), key: entry };
    });
}

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
  /** Where shared state lives: SQLite and memory on one machine, PostgreSQL and Redis for several instances. */
  scale: { databaseUrl: string | undefined; redisUrl: string | undefined; redisPrefix: string; instanceId: string | undefined; leaseSeconds: number };
  adminToken: string | undefined;
  web: {
    /** Enterprise systems' keys, each with the name its users and conversations are kept under. */
    chatApiKeys: ChatApiKey[];
    sessionSecret: string | undefined;
    cookieSecure: boolean;
    evalFile: string;
    uploadLimitBytes: number;
    perIpPerMinute: number;
    chatPerUserPerMinute: number;
  };
  channels: {
    wechaty: { puppet: string; token: string | undefined } | undefined;
    aibot: { token: string; aesKey: string } | undefined;
    app: { corpId: string; token: string; aesKey: string; agentId: string; secret: string } | undefined;
    apiBase: string;
    prefixes: string[];
    perSenderPerMinute: number;
    perGroupPerMinute: number;
  };
};

/**
 * A channel is off when none of its variables is set and on when all are; anything in between is a
 * mistake that must stop start-up, naming what is missing.
 */
function channelGroup<Name extends string>(env: Record<Name, string | undefined>, label: string): Record<Name, string> | undefined {
  const names = Object.keys(env) as Name[];
  const missing = names.filter((name) => !env[name]);
  if (missing.length === names.length) return undefined;
  if (missing.length) throw new ConfigError(`${label} is half-configured: set ${missing.join(', ')} (or unset ${names.filter((name) => env[name]).join(', ')})`);
  return env as Record<Name, string>;
}

function aesKey(name: string, value: string): string {
  if (value.length !== 43) throw new ConfigError(`${name} must be 43 characters (it is ${value.length}): copy the EncodingAESKey again from the WeCom admin console`);
  return value;
}

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
  const bot = channelGroup({ WECOM_BOT_TOKEN: e.WECOM_BOT_TOKEN, WECOM_BOT_AES_KEY: e.WECOM_BOT_AES_KEY }, 'The WeCom AI bot');
  const app = channelGroup(
    { WECOM_CORP_ID: e.WECOM_CORP_ID, WECOM_APP_TOKEN: e.WECOM_APP_TOKEN, WECOM_APP_AES_KEY: e.WECOM_APP_AES_KEY, WECOM_AGENT_ID: e.WECOM_AGENT_ID, WECOM_APP_SECRET: e.WECOM_APP_SECRET },
    'The WeCom app',
  );
  if (e.WECHATY_PUPPET === 'wechaty-puppet-service' && !e.WECHATY_PUPPET_SERVICE_TOKEN) {
    throw new ConfigError('WECHATY_PUPPET is wechaty-puppet-service but WECHATY_PUPPET_SERVICE_TOKEN is empty: set the token of your puppet service');
  }
  if (!e.WECHATY_PUPPET && e.WECHATY_PUPPET_SERVICE_TOKEN) throw new ConfigError('WECHATY_PUPPET_SERVICE_TOKEN is set but WECHATY_PUPPET is empty: set WECHATY_PUPPET=wechaty-puppet-service');
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
    scale: { databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL, redisPrefix: e.REDIS_PREFIX, instanceId: e.INSTANCE_ID, leaseSeconds: e.LEASE_SECONDS },
    adminToken: e.ADMIN_TOKEN,
    web: {
      chatApiKeys: parseChatApiKeys(e.CHAT_API_KEYS),
      sessionSecret: e.SESSION_SECRET,
      cookieSecure: e.COOKIE_SECURE === 'true',
      evalFile: path.resolve(e.EVAL_FILE),
      uploadLimitBytes: e.UPLOAD_LIMIT_MB * 1024 * 1024,
      perIpPerMinute: e.RATE_LIMIT_PER_IP,
      chatPerUserPerMinute: e.RATE_LIMIT_CHAT_PER_USER,
    },
    channels: {
      wechaty: e.WECHATY_PUPPET ? { puppet: e.WECHATY_PUPPET, token: e.WECHATY_PUPPET_SERVICE_TOKEN } : undefined,
      aibot: bot ? { token: bot.WECOM_BOT_TOKEN, aesKey: aesKey('WECOM_BOT_AES_KEY', bot.WECOM_BOT_AES_KEY) } : undefined,
      app: app
        ? { corpId: app.WECOM_CORP_ID, token: app.WECOM_APP_TOKEN, aesKey: aesKey('WECOM_APP_AES_KEY', app.WECOM_APP_AES_KEY), agentId: app.WECOM_AGENT_ID, secret: app.WECOM_APP_SECRET }
        : undefined,
      apiBase: e.WECOM_API_BASE,
      prefixes: e.GROUP_PREFIXES.split(/[,，]/).map((prefix) => prefix.trim()).filter(Boolean),
      perSenderPerMinute: e.RATE_LIMIT_PER_SENDER,
      perGroupPerMinute: e.RATE_LIMIT_PER_GROUP,
    },
  };
}

/** The names of every variable `loadConfig` reads (documented in `.env.example`). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);
