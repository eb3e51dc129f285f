import type pg from 'pg';
import { expect, it } from 'vitest';
import { PgTicketStore } from '../../src/handoff/pg-ticket-store.ts';
import { migratePostgres } from '../../src/storage/postgres.ts';
import { createPgPool } from '../../src/storage/sql.ts';
import { MIGRATIONS } from '../../src/storage/sqlite.ts';
import { scratchSchema } from '../helpers.ts';
import { ticketStoreContract } from './ticket-store-contract.ts';

// The PostgreSQL this machine runs (CI starts it if it is down); each test gets its own schema.
ticketStoreContract('PostgreSQL', () => {
  const pools: pg.Pool[] = [];
  let ready: Promise<Awaited<ReturnType<typeof scratchSchema>>> | undefined;
  const open = async () => {
    ready ??= scratchSchema().then(async (scratch) => {
      const pool = createPgPool(scratch.url, { max: 4 });
      await migratePostgres(pool);
      await pool.end();
      return scratch;
    });
    const pool = createPgPool((await ready).url, { max: 4 });
    pools.push(pool);
    return new PgTicketStore(pool);
  };
  return {
    open,
    // A second pool: another instance's connections to the same database.
    second: open,
    close: async () => {
      for (const pool of pools) await pool.end();
      await (await ready)?.drop();
    },
  };
});

it('keeps ticket events append-only in PostgreSQL too, and migrates once', async () => {
  const scratch = await scratchSchema();
  const pool = createPgPool(scratch.url, { max: 4 });
  await Promise.all([migratePostgres(pool), migratePostgres(pool)]);
  // The same versions as SQLite's, each applied once though two instances migrated at once.
  expect((await pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
  const store = new PgTicketStore(pool);
  const ticket = await store.create(
    { category: 'other', community: 'c', description: 'd', contact: null, requester: { channel: 'cli', conversationId: 'c', userId: 'u', conversationKind: 'direct', userName: 'u' }, privateChannel: false },
    new Date(),
    'requester',
  );
  expect(ticket.id).toBe(1001);
  await expect(pool.query('UPDATE ticket_events SET actor = $1', ['someone else'])).rejects.toThrow(/append-only/);
  await expect(pool.query('DELETE FROM ticket_events')).rejects.toThrow(/append-only/);
  await pool.end();
  await scratch.drop();
});
