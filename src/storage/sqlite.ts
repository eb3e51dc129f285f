import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Statements written once for both dialects (SQLite and PostgreSQL read them the same). */
export const ACCOUNTS_DDL = `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_expiry ON sessions (expires_at);
`;
/** Feedback on answers; `id` is the dialect's auto-increment key. */
export const feedbackDdl = (id: string) => `
  CREATE TABLE feedback (
    id ${id},
    at TEXT NOT NULL,
    message_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT,
    UNIQUE (message_id, user_id)
  );
`;
export const QUESTION_SOURCES_DDL = `
  ALTER TABLE question_log ADD COLUMN message_id TEXT;
  ALTER TABLE question_log ADD COLUMN top_source TEXT;
  CREATE INDEX question_log_message ON question_log (message_id);
`;

/** Who holds what (the service-level timers, the WeChat login) until when: the same in both dialects. */
const LEASES_DDL = `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
  );
`;

/**
 * When a notification was taken for delivery: a claim that old was never finished. One left sending
 * by a process that died before this step counts as taken when it was raised.
 */
const NOTIFICATION_CLAIMS_DDL = `
  ALTER TABLE notifications ADD COLUMN claimed_at TEXT;
  UPDATE notifications SET claimed_at = at WHERE status = 'sending';
`;

/**
 * Which caller a web user id or conversation id belongs to (`user:…`, `conversation:…`): the first
 * to use it. The same in both dialects.
 */
const CHAT_OWNERS_DDL = `
  CREATE TABLE chat_owners (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    at TEXT NOT NULL
  );
`;

/** Values made once for every instance and restart (the visitor-cookie secret). The same in both dialects. */
const SETTINGS_DDL = `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
`;

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
  {
    version: 2,
    name: 'tickets, events, drafts, notifications',
    up: `
      CREATE TABLE tickets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        status TEXT NOT NULL,
        category TEXT NOT NULL,
        community TEXT NOT NULL,
        description TEXT NOT NULL,
        contact TEXT,
        requester TEXT NOT NULL,
        requester_channel TEXT NOT NULL,
        requester_user TEXT NOT NULL,
        private_channel INTEGER NOT NULL DEFAULT 0,
        assignee TEXT,
        assignment_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        accept_due_at TEXT,
        escalate_due_at TEXT,
        resolve_due_at TEXT,
        reminded_at TEXT,
        escalated_at TEXT,
        resolve_alerted_at TEXT,
        resolved_at TEXT,
        rating INTEGER,
        version INTEGER NOT NULL DEFAULT 1
      );
      -- Ticket numbers start at 1001: short enough to say aloud, never confused with 1, 2, 3.
      INSERT INTO sqlite_sequence (name, seq) VALUES ('tickets', 1000);
      CREATE INDEX tickets_status ON tickets (status);
      CREATE INDEX tickets_community ON tickets (community, status);
      CREATE INDEX tickets_assignee ON tickets (assignee, status);
      CREATE INDEX tickets_requester ON tickets (requester_channel, requester_user, status);
      CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER NOT NULL REFERENCES tickets (id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        type TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
      CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
      CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
        BEGIN SELECT RAISE(ABORT, 'ticket events are append-only'); END;
      CREATE TABLE ticket_drafts (
        key TEXT PRIMARY KEY,
        draft TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        mentions TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX notifications_ticket ON notifications (ticket_id, id);
      CREATE INDEX notifications_status ON notifications (status, id);
    `,
  },
  {
    version: 3,
    name: 'users, sessions, feedback, question log sources',
    up: `
      ${ACCOUNTS_DDL}
      ${feedbackDdl('INTEGER PRIMARY KEY AUTOINCREMENT')}
      ${QUESTION_SOURCES_DDL}
    `,
  },
  {
    version: 4,
    name: 'leases',
    up: LEASES_DDL,
  },
  {
    version: 5,
    name: 'notification claims',
    up: NOTIFICATION_CLAIMS_DDL,
  },
  {
    version: 6,
    name: 'chat owners',
    up: CHAT_OWNERS_DDL,
  },
  {
    version: 7,
    name: 'settings',
    up: SETTINGS_DDL,
  },
];

const statementCaches = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/**
 * `sql` prepared once per database and reused: compiling a statement costs more than running most
 * of ours. Dynamic SQL (filters, IN lists) has few shapes; the cache is emptied if it ever grows past
 * a few hundred.
 */
export function statement(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (!cache) statementCaches.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) {
    if (cache.size >= 256) cache.clear();
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}

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
