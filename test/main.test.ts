import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from './helpers.ts';
import { freePort, startServer as start, waitForHealth } from './server-process.ts';

describe('npm start', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('builds the index on first start and serves /healthz on PORT', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const port = await freePort();
    const server = start({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir });
    children.push(server.child);
    const response = await waitForHealth(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { index: { chunks: number } };
    expect(body).toMatchObject({ status: 'ok', index: { loaded: true, documents: 9, embedder: 'local-hash-v1' } });
    expect(body.index.chunks).toBeGreaterThan(20);
    expect(server.output()).toMatch(/no knowledge index yet: building it/);
    // Channels that are not configured are not started, and say so once.
    for (const channel of ['WeCom app', 'WeCom AI bot', 'WeChat groups through wechaty']) {
      expect(server.output().split(`channel not configured, not started: ${channel}`)).toHaveLength(2);
    }
    const missing = await fetch(`http://127.0.0.1:${port}/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('没有这个地址。');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    await cleanup();
  });

  it('fails start when a channel is half-configured, naming the missing variable', async () => {
    const server = start({ WECOM_BOT_TOKEN: 'token-only' });
    children.push(server.child);
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('The WeCom AI bot is half-configured: set WECOM_BOT_AES_KEY');
  });

  it('fails start with a clear message when PostgreSQL or Redis cannot be reached', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const closed = await freePort();
    const database = start({ DATA_DIR: dir, DATABASE_URL: `postgres://rongzhi:secret@127.0.0.1:${closed}/rongzhi` });
    children.push(database.child);
    expect(await database.exited).toBe(1);
    expect(database.output()).toMatch(/PostgreSQL at DATABASE_URL \(postgres:\/\/rongzhi:\*\*\*@127\.0\.0\.1:\d+\/rongzhi\) could not be opened: .*ECONNREFUSED/);
    expect(database.output()).not.toContain('secret');
    const redis = start({ DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${closed}` });
    children.push(redis.child);
    expect(await redis.exited).toBe(1);
    expect(redis.output()).toMatch(/Redis at REDIS_URL \(redis:\/\/127\.0\.0\.1:\d+\) could not be reached/);
    await cleanup();
  });

  it('fails start with a message naming the variable when the configuration is invalid', async () => {
    const server = start({ PORT: 'eighty' });
    children.push(server.child);
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT must be a number \(it is "eighty"\)/);
  });
});
