import pg from 'pg';
import { statement, type SqliteDatabase } from './sqlite.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The few SQL calls that the question log, accounts, feedback, leases and insights need, over
 * SQLite or PostgreSQL. Statements use `?` placeholders and the SQL both dialects share; where they
 * differ, callers branch on `dialect`.
 */
export interface SqlDatabase {
  readonly dialect: Dialect;
  all<T>(sql: string, params?: unknown[]): Promise<T[]>;
  get<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  /** Runs a statement; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: unknown[]): Promise<{ changes: number }>;
}

export class SqliteSql implements SqlDatabase {
  readonly dialect = 'sqlite';

  constructor(readonly db: SqliteDatabase) {}

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return statement(this.db, sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return statement(this.db, sql).get(...params) as T | undefined;
  }

  async run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    return { changes: statement(this.db, sql).run(...params).changes };
  }
}

/** A value made once and then kept across restarts and instances: the first one stored wins. */
export async function settingOnce(sql: SqlDatabase, name: string, make: () => string): Promise<string> {
  await sql.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, make()]);
  const row = await sql.get<{ value: string }>('SELECT value FROM settings WHERE name = ?', [name]);
  if (!row) throw new Error(`setting ${name} vanished`);
  return row.value;
}

/** `?` → `$1, $2, …`, leaving question marks inside string literals alone. */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  let quoted = false;
  let out = '';
  for (const char of sql) {
    if (char === "'") quoted = !quoted;
    out += char === '?' && !quoted ? `$${++n}` : char;
  }
  return out;
}

// COUNT and SUM are BIGINT in PostgreSQL, which node-postgres returns as strings; counts here fit
// in a double.
const INT8 = 20;
const types = { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser };

/** A pool for DATABASE_URL, with counts as numbers. */
export function createPgPool(connectionString: string, options: pg.PoolConfig = {}): pg.Pool {
  return new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000, ...options, types });
}

export class PgSql implements SqlDatabase {
  readonly dialect = 'postgres';

  constructor(readonly pool: pg.Pool) {}

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(toPgPlaceholders(sql), params)).rows as T[];
  }

  async get<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  async run(sql: string, params: unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.pool.query(toPgPlaceholders(sql), params)).rowCount ?? 0 };
  }
}
