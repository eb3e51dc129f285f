import type { AddressInfo } from 'node:net';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import express from 'express';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { InMemoryStore } from '../../src/assistant/memory.ts';
import type { WechatyChannel } from '../../src/channels/wechaty/wechaty-channel.ts';
import { AIBOT_LIMITS, fitBytes, WeComAiBotChannel } from '../../src/channels/wecom/aibot-channel.ts';
import { WeComCrypto } from '../../src/channels/wecom/crypto.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { RedisStore } from '../../src/storage/cluster.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { FakeWeComServer } from '../fakes/wecom-server.ts';
import { silentLogger, testApp, TEST_REDIS_URL } from '../helpers.ts';

const AES = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';

describe('WeCom AI bot limits', () => {
  it('cuts stream content to 20480 UTF-8 bytes without breaking a character', () => {
    const long = '房'.repeat(10_000); // 30000 bytes
    const cut = fitBytes(long, AIBOT_LIMITS.contentBytes);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(20_480);
    expect(cut.endsWith('…')).toBe(true);
    expect(fitBytes('短', 20_480)).toBe('短');
  });

  it('sends the final answer through response_url when it completes after the stream window', async () => {
    const wecom = await new FakeWeComServer().start();
    const clock = new ManualClock();
    const channel = new WeComAiBotChannel({ crypto: new WeComCrypto('bot-token', AES, ''), store: new InMemoryStore(clock), clock, logger: silentLogger, firstReplyWaitMs: 20 });
    let finish!: () => void;
    channel.setHandler(async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      clock.advance(AIBOT_LIMITS.streamWindowMs + 1000); // WeCom has stopped asking for refreshes
      return { route: 'answer', category: null, answer: '区里有1个平台级生物医药产业服务驿站[1]。', citations: [], ticket: null, replies: [{ text: '区里有1个平台级生物医药产业服务驿站[1]。' }] };
    });
    const server = express().use(channel.router()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const body = { msgid: 'slow-1', chatid: 'chat', chattype: 'group', from: { userid: 'u' }, response_url: `${wecom.baseUrl}/response/slow-1`, msgtype: 'text', text: { content: '@小融 问题' } };
    const encrypt = wecomEncrypt(AES, JSON.stringify(body), '');
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/aibot?msg_signature=${getSignature('bot-token', '1', '2', encrypt)}&timestamp=1&nonce=2`, { method: 'POST', body: JSON.stringify({ encrypt }) });
    expect(response.status).toBe(200);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(wecom.requestsTo('/response/slow-1')[0]?.body).toEqual({ msgtype: 'markdown', markdown: { content: '区里有1个平台级生物医药产业服务驿站[1]。' } });
    server.close();
    await wecom.stop();
  });
});

describe('the WeCom AI bot behind a load balancer', () => {
  it('answers a refresh or a retried callback that reaches another instance from the shared stream', async () => {
    const prefix = `rz-test-aibot-${Date.now()}-${process.pid}:`;
    const connections = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
    const handled: string[] = [];
    let finish!: () => void;
    const instances = connections.map((redis, i) => {
      const channel = new WeComAiBotChannel({ crypto: new WeComCrypto('bot-token', AES, ''), store: new RedisStore(redis, prefix), clock: systemClock, logger: silentLogger, firstReplyWaitMs: 20 });
      channel.setHandler(async (message, onEvent) => {
        handled.push(`instance-${i}:${message.id}`);
        onEvent({ type: 'text-delta', text: '区里有1个' });
        await new Promise<void>((resolve) => (finish = resolve));
        return { route: 'answer', category: null, answer: '区里有1个驿站。', citations: [], ticket: null, replies: [{ text: '区里有1个驿站。' }] };
      });
      return express().use(channel.router()).listen(0, '127.0.0.1');
    });
    await Promise.all(instances.map((server) => new Promise((resolve) => server.once('listening', resolve))));
    const crypto = new WeComCrypto('bot-token', AES, '');
    const post = async (server: (typeof instances)[number], body: object) => {
      const encrypt = wecomEncrypt(AES, JSON.stringify(body), '');
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/aibot?msg_signature=${getSignature('bot-token', '1', '2', encrypt)}&timestamp=1&nonce=2`, { method: 'POST', body: JSON.stringify({ encrypt }) });
      const reply = (await response.json()) as { encrypt: string };
      return JSON.parse(crypto.open({ msg_signature: getSignature('bot-token', '1', '2', reply.encrypt), timestamp: '1', nonce: '2' }, reply.encrypt)) as { stream: { id: string; finish: boolean; content: string } };
    };
    const question = { msgid: 'lb-1', chatid: 'chat', chattype: 'group', from: { userid: 'u' }, msgtype: 'text', text: { content: '@小融 驿站有几个' } };
    const first = await post(instances[0]!, question);
    expect(first.stream).toMatchObject({ finish: false });
    // WeCom retries the same callback; the load balancer sends it to the other instance.
    const retried = await post(instances[1]!, question);
    expect(retried.stream.id).toBe(first.stream.id);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const partial = await post(instances[1]!, { msgid: 'refresh-1', msgtype: 'stream', stream: { id: first.stream.id } });
    expect(partial.stream).toMatchObject({ id: first.stream.id, finish: false, content: '区里有1个' });
    finish();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const done = await post(instances[1]!, { msgid: 'refresh-2', msgtype: 'stream', stream: { id: first.stream.id } });
    expect(done.stream).toMatchObject({ finish: true, content: '区里有1个驿站。' });
    expect(handled).toEqual(['instance-0:lb-1']);
    for (const server of instances) server.close();
    const keys = await connections[0]!.keys(`${prefix}*`);
    if (keys.length) await connections[0]!.del(...keys);
    for (const redis of connections) await redis.quit();
  });
});

describe('the WeChat login page', () => {
  it('shows the QR code to district staff with the admin token only', async () => {
    const app = await testApp({ ADMIN_TOKEN: 'admin-token-0123456789' });
    const waiting = { loggedIn: false, qrCode: 'https://login.weixin.qq.com/l/abc' } as WechatyChannel;
    const server = createHttpApp(app, { wechaty: waiting }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/wechaty-login`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const page = await (await fetch(url, { headers: { authorization: 'Bearer admin-token-0123456789' } })).text();
    expect(page).toContain('请用小融的微信扫码登录');
    expect(page).toMatch(/<svg [^>]*aria-label="登录二维码"/);
    waiting.loggedIn = true;
    expect(await (await fetch(`${url}?token=admin-token-0123456789`)).text()).toContain('已登录');
    server.close();
    await app.cleanup();
  });
});
