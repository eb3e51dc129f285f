import path from 'node:path';
import { expect, it } from 'vitest';
import { SqliteTicketStore } from '../../src/handoff/sqlite-ticket-store.ts';
import { MIGRATIONS, openSqlite, type SqliteDatabase } from '../../src/storage/sqlite.ts';
import { temporaryDirectory } from '../helpers.ts';
import { ticketStoreContract } from './ticket-store-contract.ts';

ticketStoreContract('SQLite', () => {
  let dir: { dir: string; cleanup: () => Promise<void> } | undefined;
  const databases: SqliteDatabase[] = [];
  const open = async () => {
    dir ??= await temporaryDirectory();
    const db = openSqlite(path.join(dir.dir, 'rongzhi.db'));
    databases.push(db);
    return new SqliteTicketStore(db);
  };
  return {
    open,
    second: open,
    close: async () => {
      for (const db of databases) db.close();
      await dir?.cleanup();
    },
  };
});

it('refuses to change or delete a ticket event', async () => {
  const { dir, cleanup } = await temporaryDirectory();
  const db = openSqlite(path.join(dir, 'rongzhi.db'));
  const store = new SqliteTicketStore(db);
  const ticket = await store.create(
    { category: 'other', community: 'c', description: 'd', contact: null, requester: { channel: 'cli', conversationId: 'c', userId: 'u', conversationKind: 'direct', userName: 'u' }, privateChannel: false },
    new Date(),
    'requester',
  );
  expect(() => db.prepare('UPDATE ticket_events SET actor = ? WHERE ticket_id = ?').run('someone else', ticket.id)).toThrow(/append-only/);
  expect(() => db.prepare('DELETE FROM ticket_events WHERE ticket_id = ?').run(ticket.id)).toThrow(/append-only/);
  db.close();
  await cleanup();
});

it('applies migrations once, in order, and records them', async () => {
  const { dir, cleanup } = await temporaryDirectory();
  const file = path.join(dir, 'rongzhi.db');
  // A version-4 database is brought up to date when opened; a notification its process left sending
  // counts as taken when it was raised.
  const old = openSqlite(file, MIGRATIONS.filter((migration) => migration.version <= 4));
  old.prepare(`INSERT INTO notifications (ticket_id, at, kind, recipient, text, mentions, status) VALUES (NULL, '2026-11-01T00:00:00.000Z', 'reply', 'worker:w1', '明天到', '[]', 'sending')`).run();
  old.close();
  openSqlite(file).close();
  const db = openSqlite(file);
  expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((migration) => migration.version));
  expect(await new SqliteTicketStore(db).releaseNotificationClaims(new Date('2026-11-01T00:10:00Z'))).toBe(1);
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  db.close();
  await cleanup();
});
