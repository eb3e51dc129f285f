import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { PgTicketStore } from '../../src/handoff/pg-ticket-store.ts';
import { migratePostgres } from '../../src/storage/postgres.ts';
import { MIGRATIONS } from '../../src/storage/sqlite.ts';
import { ticketStoreContract } from './ticket-store-contract.ts';

// The PostgreSQL this machine runs (CI starts it if it is down); each test gets its own schema.
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function schemaPool(schema: string): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4, options: `-c search_path=${schema}` });
  return pool;
}

ticketStoreContract('PostgreSQL', () => {
  const schema = `rz_test_${randomBytes(6).toString('hex')}`;
  const pools: pg.Pool[] = [];
  let ready: Promise<void> | undefined;
  const open = async () => {
    const pool = await schemaPool(schema);
    pools.push(pool);
    ready ??= (async () => {
      await pool.query(`CREATE SCHEMA ${schema}`);
      await migratePostgres(pool);
    })();
    await ready;
    return new PgTicketStore(pool);
  };
  return {
    open,
    // A second pool: another instance's connections to the same database.
    second: open,
    close: async () => {
      await pools[0]?.query(`DROP SCHEMA ${schema} CASCADE`);
      for (const pool of pools) await pool.end();
    },
  };
});

it('keeps ticket events append-only in PostgreSQL too, and migrates once', async () => {
  const schema = `rz_test_${randomBytes(6).toString('hex')}`;
  const pool = await schemaPool(schema);
  await pool.query(`CREATE SCHEMA ${schema}`);
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
  await pool.query(`DROP SCHEMA ${schema} CASCADE`);
  await pool.end();
});
