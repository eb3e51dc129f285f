import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** One schema step. Steps run in order, once, each inside a transaction. */
export type Migration = { version: number; name: string; up: string };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'question log',
    up: `
      CREATE TABLE question_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        question TEXT NOT NULL,
        route TEXT NOT NULL,
        category TEXT,
        relevance REAL,
        answered INTEGER NOT NULL
      );
      CREATE INDEX question_log_at ON question_log (at);
      CREATE INDEX question_log_unanswered ON question_log (answered, at);
    `,
  },
];

/** Opens (creating if needed) the SQLite database in WAL mode and brings its schema up to date. */
export function openSqlite(file: string, migrations: Migration[] = MIGRATIONS): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

export function migrate(db: SqliteDatabase, migrations: Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.up);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
    })();
  }
}
