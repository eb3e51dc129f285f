import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { InMemoryStore, type KeyValueStore } from '../assistant/memory.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { PgTicketStore } from '../handoff/pg-ticket-store.ts';
import { SqliteTicketStore } from '../handoff/sqlite-ticket-store.ts';
import type { TicketStore } from '../handoff/ticket-store.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { connectRedis, RedisCluster, RedisStore, SingleInstance, type Cluster } from './cluster.ts';
import { migratePostgres } from './postgres.ts';
import { createPgPool, PgSql, SqliteSql, type SqlDatabase } from './sql.ts';
import { openSqlite } from './sqlite.ts';

export type Storage = { sql: SqlDatabase; tickets: TicketStore; close(): Promise<void> };

/**
 * The database: PostgreSQL with DATABASE_URL (migrated under a lock), else SQLite in DATA_DIR.
 * `scratch`: an empty SQLite database in memory, gone at close, whatever is configured.
 */
export async function openStorage(config: Config, logger: Logger, options: { scratch?: boolean } = {}): Promise<Storage> {
  if (options.scratch) return sqliteStorage(':memory:');
  const url = config.scale.databaseUrl;
  if (url) {
    const pool = createPgPool(url);
    pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection error'));
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      throw new AppError('database_unavailable', `PostgreSQL at DATABASE_URL (${redact(url)}) could not be opened: ${(error as Error).message || String(error)}`, { cause: error });
    }
    logger.info({ database: redact(url) }, 'using PostgreSQL');
    return { sql: new PgSql(pool), tickets: new PgTicketStore(pool), close: () => pool.end() };
  }
  return sqliteStorage(path.join(config.dataDir, 'rongzhi.db'));
}

function sqliteStorage(file: string): Storage {
  const db = openSqlite(file);
  return { sql: new SqliteSql(db), tickets: new SqliteTicketStore(db), close: async () => void db.close() };
}

export type Shared = { store: KeyValueStore; cluster: Cluster; close(): Promise<void> };

/** Short-lived shared state: Redis with REDIS_URL, else (or `scratch`) this process's memory. */
export async function openShared(config: Config, instanceId: string, clock: Clock, logger: Logger, options: { scratch?: boolean } = {}): Promise<Shared> {
  const url = config.scale.redisUrl;
  if (!url || options.scratch) return { store: new InMemoryStore(clock), cluster: new SingleInstance(), close: async () => undefined };
  const redis = connectRedis(url, logger);
  const cluster = new RedisCluster(redis, config.scale.redisPrefix, instanceId, logger);
  try {
    await redis.ping();
    await cluster.ready();
  } catch (error) {
    await cluster.close();
    redis.disconnect();
    throw new AppError('redis_unavailable', `Redis at REDIS_URL (${redact(url)}) could not be reached: ${(error as Error).message || String(error)}`, { cause: error });
  }
  logger.info({ redis: redact(url) }, 'using Redis');
  return {
    store: new RedisStore(redis, config.scale.redisPrefix),
    cluster,
    async close() {
      await cluster.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

/** This process's name in leases and logs. */
export function instanceIdOf(config: Config): string {
  return config.scale.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

/** A connection URL without its password, for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'unparseable URL';
  }
}
