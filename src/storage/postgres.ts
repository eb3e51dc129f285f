import type pg from 'pg';
import { ACCOUNTS_DDL, feedbackDdl, MIGRATIONS, QUESTION_SOURCES_DDL } from './sqlite.ts';

/** One schema step for PostgreSQL; the same versions as the SQLite migrations. */
export type PgMigration = { version: number; name: string; up: string };

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: 'question log',
    up: `
      CREATE TABLE question_log (
        id BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        question TEXT NOT NULL,
        route TEXT NOT NULL,
        category TEXT,
        relevance DOUBLE PRECISION,
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
      CREATE SEQUENCE tickets_id_seq START 1001;
      CREATE TABLE tickets (
        id INTEGER PRIMARY KEY DEFAULT nextval('tickets_id_seq'),
        status TEXT NOT NULL,
        category TEXT NOT NULL,
        community TEXT NOT NULL,
        description TEXT NOT NULL,
        contact TEXT,
        requester JSONB NOT NULL,
        requester_channel TEXT NOT NULL,
        requester_user TEXT NOT NULL,
        private_channel BOOLEAN NOT NULL DEFAULT false,
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
      CREATE INDEX tickets_status ON tickets (status);
      CREATE INDEX tickets_community ON tickets (community, status);
      CREATE INDEX tickets_assignee ON tickets (assignee, status);
      CREATE INDEX tickets_requester ON tickets (requester_channel, requester_user, status);
      CREATE TABLE ticket_events (
        id BIGSERIAL PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets (id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        type TEXT NOT NULL,
        detail JSONB NOT NULL
      );
      CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
      CREATE FUNCTION ticket_events_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'ticket events are append-only'; END;
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER ticket_events_no_change BEFORE UPDATE OR DELETE ON ticket_events
        FOR EACH ROW EXECUTE FUNCTION ticket_events_append_only();
      CREATE TABLE ticket_drafts (key TEXT PRIMARY KEY, draft JSONB NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE notifications (
        id BIGSERIAL PRIMARY KEY,
        ticket_id INTEGER,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        mentions JSONB NOT NULL DEFAULT '[]',
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
      ${feedbackDdl('BIGSERIAL PRIMARY KEY')}
      ${QUESTION_SOURCES_DDL}
    `,
  },
  // From version 4 on, each step's SQL is the same in both dialects: listed once, with SQLite's.
  ...MIGRATIONS.filter((migration) => migration.version >= 4),
];

/**
 * Brings a PostgreSQL schema up to date. An advisory lock makes instances starting together run
 * each migration once.
 */
export async function migratePostgres(pool: pg.Pool, migrations: PgMigration[] = PG_MIGRATIONS): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7242026)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.up);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7242026)').catch(() => undefined);
    client.release();
  }
}
