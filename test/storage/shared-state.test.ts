import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlQuestionLog } from '../../src/assistant/question-log.ts';
import { RateLimiter } from '../../src/channels/rate-limit.ts';
import { ManualClock } from '../../src/clock.ts';
import { Accounts } from '../../src/http/auth.ts';
import { ChatOwners } from '../../src/http/chat-owners.ts';
import { RedisCluster, RedisStore, type ClusterEvent } from '../../src/storage/cluster.ts';
import { Lease, LeaseKeeper } from '../../src/storage/lease.ts';
import { migratePostgres } from '../../src/storage/postgres.ts';
import { createPgPool, PgSql, settingOnce, SqliteSql, toPgPlaceholders, type SqlDatabase } from '../../src/storage/sql.ts';
import { openSqlite, statement } from '../../src/storage/sqlite.ts';
import { capturingLogger, scalar, scratchSchema, silentLogger, temporaryDirectory, TEST_REDIS_URL, waitFor } from '../helpers.ts';

type Backend = { sql: SqlDatabase; close(): Promise<void> };

const backends: [string, () => Promise<Backend>][] = [
  [
    'SQLite',
    async () => {
      const { dir, cleanup } = await temporaryDirectory();
      const db = openSqlite(`${dir}/rongzhi.db`);
      return { sql: new SqliteSql(db), close: async () => (db.close(), await cleanup()) };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const scratch = await scratchSchema();
      const pool = createPgPool(scratch.url, { max: 4 });
      await migratePostgres(pool);
      return { sql: new PgSql(pool), close: async () => (await pool.end(), await scratch.drop()) };
    },
  ],
];

describe.each(backends)('app tables in %s', (_name, open) => {
  let backend: Backend;
  const clock = new ManualClock();
  beforeAll(async () => {
    backend = await open();
  });
  afterAll(() => backend.close());

  it('keeps accounts and sessions: a new password signs the person out, an expired session is gone', async () => {
    const accounts = new Accounts(backend.sql, clock);
    await accounts.setPassword('w-1', 'first-password');
    expect(await accounts.checkPassword('w-1', 'first-password')).toBe(true);
    expect(await accounts.checkPassword('w-1', 'wrong-password')).toBe(false);
    expect(await accounts.checkPassword('nobody', 'first-password')).toBe(false);
    const session = await accounts.createSession('w-1', 'worker');
    expect(await accounts.session(session.id)).toEqual(session);
    await accounts.setPassword('w-1', 'second-password');
    expect(await accounts.session(session.id)).toBeUndefined();
    const later = await accounts.createSession('w-1', 'worker');
    clock.advance(13 * 3600_000);
    expect(await accounts.session(later.id)).toBeUndefined();
    const current = await accounts.createSession('w-1', 'worker');
    await accounts.endSession(current.id);
    expect(await accounts.session(current.id)).toBeUndefined();
  });

  it('logs questions and lists the unanswered, newest first', async () => {
    const log = new SqlQuestionLog(backend.sql);
    const entry = { channel: 'web', conversationId: 'c', userId: 'u', route: 'answer', category: null, relevance: 0.1, topSource: null };
    await log.record({ ...entry, at: new Date('2026-11-26T01:00:00Z'), text: '第一问', question: '第一问', answered: false, messageId: 'm1' });
    await log.record({ ...entry, at: new Date('2026-11-26T02:00:00Z'), text: '第二问', question: '第二问', answered: true, messageId: 'm2' });
    await log.record({ ...entry, at: new Date('2026-11-26T03:00:00Z'), text: '第三问？', question: '第三问', answered: false, messageId: 'm3' });
    const unanswered = await log.unanswered(10);
    expect(unanswered.map((row) => row.text)).toEqual(['第三问？', '第一问']);
    expect(unanswered[0]).toMatchObject({ answered: false, relevance: 0.1, at: new Date('2026-11-26T03:00:00Z') });
    expect(typeof unanswered[0]!.id).toBe('number');
  });

  it('keeps a web user and conversation for the caller that claimed them first, on every instance', async () => {
    const [one, two] = [new ChatOwners(backend.sql, clock), new ChatOwners(backend.sql, clock)];
    expect(await one.claim(['user:u1', 'conversation:web:u1'], 'key:acme')).toBe(true);
    expect(await two.claim(['user:u1'], 'visitor:v1')).toBe(false);
    expect(await two.claim(['conversation:web:u1'], 'key:acme')).toBe(true);
    // Both instances at once on a fresh name: exactly one caller gets it.
    const outcomes = await Promise.all([one.claim(['user:u2'], 'visitor:a'), two.claim(['user:u2'], 'visitor:b')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(Number(await scalar(backend, "SELECT COUNT(*) FROM chat_owners WHERE name LIKE 'user:%'"))).toBe(2);
  });

  it('makes a setting once: instances starting together, and every later start, get the same value', async () => {
    const [a, b] = await Promise.all([settingOnce(backend.sql, 'secret', () => 'made-by-a'), settingOnce(backend.sql, 'secret', () => 'made-by-b')]);
    expect(a).toBe(b);
    expect(await settingOnce(backend.sql, 'secret', () => 'made-later')).toBe(a);
  });

  it('gives a lease to one holder at a time, renews it for its holder, and hands it over when it runs out', async () => {
    const a = new Lease(backend.sql, 'sla', 'instance-a', 30_000, clock);
    const b = new Lease(backend.sql, 'sla', 'instance-b', 30_000, clock);
    const [first, second] = await Promise.all([a.acquire(), b.acquire()]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    const [holder, other] = first ? [a, b] : [b, a];
    clock.advance(20_000);
    expect(await holder.acquire()).toBe(true); // renewed until now + 30 s
    clock.advance(20_000);
    expect(await other.acquire()).toBe(false);
    expect(await holder.currentHolder()).toBe(holder.holder);
    clock.advance(10_001); // the holder stopped renewing: dead
    expect(await other.acquire()).toBe(true);
    expect(await holder.acquire()).toBe(false);
    await other.release();
    expect(await holder.acquire()).toBe(true);
    await holder.release();
  });

  it('runs a duty on exactly one keeper, and moves it when the holder stops', async () => {
    const running: string[] = [];
    const keeper = (name: string) =>
      new LeaseKeeper(new Lease(backend.sql, 'wechaty', name, 30_000, clock), { onAcquired: () => void running.push(name), onLost: () => void running.splice(running.indexOf(name), 1) }, { clock, logger: silentLogger });
    const a = keeper('a');
    const b = keeper('b');
    await Promise.all([a.check(), b.check()]);
    expect(running).toHaveLength(1);
    const [holder, other, otherName] = running[0] === 'a' ? [a, b, 'b'] : [b, a, 'a'];
    await other.check();
    expect(running).toHaveLength(1);
    await holder.stop(); // graceful: released, so the other takes over at its next try
    expect(running).toEqual([]);
    await other.check();
    expect(running).toEqual([otherName]);
    expect([holder.held, other.held]).toEqual([false, true]);
    await other.stop();
  });

  it('lets go of a lease whose duty fails to start, so that it is tried again', async () => {
    let attempts = 0;
    const keeper = new LeaseKeeper(
      new Lease(backend.sql, 'flaky', 'a', 30_000, clock),
      {
        onAcquired: () => {
          if (++attempts === 1) throw new Error('puppet service unreachable');
        },
        onLost: () => undefined,
      },
      { clock, logger: silentLogger },
    );
    await keeper.check();
    expect(keeper.held).toBe(false);
    expect(await new Lease(backend.sql, 'flaky', 'b', 30_000, clock).currentHolder()).toBeUndefined();
    await keeper.check();
    expect([keeper.held, attempts]).toEqual([true, 2]);
    await keeper.stop();
  });
});

describe('SQL placeholders', () => {
  it('numbers ? for PostgreSQL, but not inside string literals', () => {
    expect(toPgPlaceholders("SELECT * FROM t WHERE a = ? AND b LIKE '%?%' AND c = ?")).toBe("SELECT * FROM t WHERE a = $1 AND b LIKE '%?%' AND c = $2");
  });
});

describe('SQLite statements', () => {
  it('are compiled once per database and SQL text, and still see rows written later', () => {
    const first = openSqlite(':memory:');
    const second = openSqlite(':memory:');
    try {
      const select = 'SELECT COUNT(*) AS n FROM leases';
      expect(statement(first, select)).toBe(statement(first, select));
      expect(statement(second, select)).not.toBe(statement(first, select));
      expect(statement(first, select).get()).toEqual({ n: 0 });
      first.exec(`INSERT INTO leases (name, holder, expires_at) VALUES ('sla', 'a', 1)`);
      expect(statement(first, select).get()).toEqual({ n: 1 });
    } finally {
      first.close();
      second.close();
    }
  });
});

describe('Redis shared state', () => {
  const prefix = `rz-test-${Date.now()}-${process.pid}:`;
  const connections: Redis[] = [];
  const connect = () => {
    const redis = new Redis(TEST_REDIS_URL);
    connections.push(redis);
    return redis;
  };
  afterAll(async () => {
    const cleaner = connect();
    const keys = await cleaner.keys(`${prefix}*`);
    if (keys.length) await cleaner.del(...keys);
    for (const redis of connections) await redis.quit();
  });

  it('marks a message seen exactly once across instances, and expires values', async () => {
    const one = new RedisStore(connect(), prefix);
    const two = new RedisStore(connect(), prefix);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).setIfAbsent('wecom-app:msg:42', 1, 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
    await one.set('session:u', { turns: [{ role: 'user', text: '你好' }] }, 60);
    expect(await two.get('session:u')).toEqual({ turns: [{ role: 'user', text: '你好' }] });
    await two.delete('session:u');
    expect(await one.get('session:u')).toBeUndefined();
    await one.set('short', 1, 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await two.get('short')).toBeUndefined();
  });

  it('counts a rate limit across instances', async () => {
    const clock = new ManualClock();
    const limiters = [new RateLimiter(new RedisStore(connect(), prefix), clock, 3, 60_000), new RateLimiter(new RedisStore(connect(), prefix), clock, 3, 60_000)];
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await limiters[i % 2]!.check('wechaty:flooder'));
    expect(verdicts).toEqual(['allow', 'allow', 'allow', 'warn', 'silent']);
  });

  it('tells the other instances, not itself, and keeps the announced index version', async () => {
    const a = new RedisCluster(connect(), prefix, 'a', silentLogger);
    const b = new RedisCluster(connect(), prefix, 'b', silentLogger);
    await Promise.all([a.ready(), b.ready()]);
    const heardByA: ClusterEvent[] = [];
    const heardByB: ClusterEvent[] = [];
    a.subscribe((event) => heardByA.push(event));
    b.subscribe((event) => heardByB.push(event));
    await a.publish({ type: 'index', contentHash: 'abc123' });
    await b.publish({ type: 'roster' });
    await waitFor(() => heardByB.length === 1 && heardByA.length === 1);
    expect(heardByB).toEqual([{ type: 'index', contentHash: 'abc123' }]);
    expect(heardByA).toEqual([{ type: 'roster' }]);
    expect(await b.sharedIndexHash()).toBe('abc123');
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps hearing when it subscribes while its connection is still shaking hands', async () => {
    const main = connect();
    await once(main, 'ready');
    // Catch the listening connection the cluster opens, to subscribe the moment it connects.
    const duplicate = main.duplicate.bind(main);
    let listening: Redis | undefined;
    main.duplicate = (options) => (listening = duplicate(options));
    const { logger, lines } = capturingLogger();
    const listener = new RedisCluster(main, prefix, 'listener', logger);
    const teller = new RedisCluster(connect(), prefix, 'teller', silentLogger);
    await once(listening!, 'connect');
    await Promise.all([listener.ready(), teller.ready()]);
    const heard: ClusterEvent[] = [];
    listener.subscribe((event) => heard.push(event));
    // Long enough for a failed handshake to reconnect: events after it must still arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await teller.publish({ type: 'roster' });
    await waitFor(() => heard.length === 1, 2000);
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
    await Promise.all([listener.close(), teller.close()]);
  });
});
