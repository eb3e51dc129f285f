import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAIServer } from './fakes/openai-server.ts';
import { FakeWeComServer } from './fakes/wecom-server.ts';
import { WECOM_SAMPLE } from './fixtures/wecom-sample.ts';
import { scratchSchema, temporaryDirectory, TEST_REDIS_URL, waitFor } from './helpers.ts';
import { freePort, startServer, waitForHealth, type ServerProcess } from './server-process.ts';

const ADMIN = 'scale-out-admin-token-2026';
const bearer = { authorization: `Bearer ${ADMIN}` };

type Instance = ServerProcess & { name: string; base: string };

/**
 * Two server processes on different ports sharing one PostgreSQL, one Redis and one DATA_DIR, as
 * behind a load balancer.
 */
describe('several instances on PostgreSQL and Redis', () => {
  let scratch: Awaited<ReturnType<typeof scratchSchema>>;
  let temporary: Awaited<ReturnType<typeof temporaryDirectory>>;
  let wecom: FakeWeComServer;
  let db: pg.Pool;
  let a: Instance;
  let b: Instance;
  const launched: ServerProcess[] = [];

  const launch = async (name: string, extra: NodeJS.ProcessEnv = {}): Promise<Instance> => {
    const port = await freePort();
    const server = startServer({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(temporary.dir, 'data'),
      KNOWLEDGE_DIR: path.join(temporary.dir, 'knowledge'),
      DATABASE_URL: scratch.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: scratch.prefix,
      INSTANCE_ID: name,
      LEASE_SECONDS: '2',
      SLA_CHECK_SECONDS: '1',
      ADMIN_TOKEN: ADMIN,
      WECOM_CORP_ID: WECOM_SAMPLE.corpId,
      WECOM_APP_TOKEN: WECOM_SAMPLE.token,
      WECOM_APP_AES_KEY: WECOM_SAMPLE.aesKey,
      WECOM_AGENT_ID: '1000002',
      WECOM_APP_SECRET: 'app-secret',
      WECOM_API_BASE: wecom.baseUrl,
      WECHATY_PUPPET: 'wechaty-puppet-mock',
      LOG_LEVEL: 'info',
      ...extra,
    });
    const base = `http://127.0.0.1:${port}`;
    launched.push(server);
    const health = await waitForHealth(`${base}/healthz`, 60_000);
    expect(health.status, server.output()).toBe(200);
    return { ...server, name, base };
  };
  const call = (instance: Instance, route: string, init: RequestInit = {}) => fetch(`${instance.base}${route}`, init);
  const chat = async (instance: Instance, user: string, text: string) =>
    (await (await call(instance, '/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, text }) })).json()) as { answer: string; ticket: { id: number } | null };
  const leaseHolder = async (name: string) => (await db.query<{ holder: string }>('SELECT holder FROM leases WHERE name = $1', [name])).rows[0]?.holder;
  const events = async (ticketId: number) => (await db.query<{ type: string; actor: string }>('SELECT type, actor FROM ticket_events WHERE ticket_id = $1 ORDER BY id', [ticketId])).rows;

  beforeAll(async () => {
    scratch = await scratchSchema();
    temporary = await temporaryDirectory();
    await cp('knowledge', path.join(temporary.dir, 'knowledge'), { recursive: true });
    wecom = await new FakeWeComServer(WECOM_SAMPLE.corpId, 'app-secret').start();
    db = new pg.Pool({ connectionString: scratch.url, max: 2 });
    // One after the other: the first builds the shared index and takes the leases.
    a = await launch('instance-a');
    b = await launch('instance-b');
  }, 150_000);

  afterAll(async () => {
    for (const instance of launched) instance.child.kill('SIGKILL');
    await db?.end();
    await wecom?.stop();
    await scratch?.drop();
    await temporary?.cleanup();
  });

  it('serves the same index version on both, and a re-index on one reaches the other', async () => {
    const hash = async (instance: Instance) => ((await (await call(instance, '/healthz')).json()) as { index: { contentHash: string } }).index.contentHash;
    const before = await hash(a);
    expect(await hash(b)).toBe(before);
    await writeFile(
      path.join(temporary.dir, 'knowledge', 'night-school.md'),
      '---\ntitle: 夜校通知\n---\n# 夜校通知\n\n园区夜校每周三晚上七点在邻里中心三楼开课，报名请找社区工作者。\n',
    );
    const reindex = await call(a, '/api/knowledge/reindex', { method: 'POST', headers: bearer });
    expect(reindex.status).toBe(200);
    const after = await hash(a);
    expect(after).not.toBe(before);
    await waitFor(async () => (await hash(b)) === after, 10_000);
    const answer = await chat(b, 'index-check', '夜校什么时候开课？');
    expect(answer.answer).toMatch(/周三晚上七点/);
  });

  it('reloads the roster on every instance when one is told to (SIGHUP)', async () => {
    const reloads = (instance: Instance) => instance.output().split('"msg":"roster reloaded"').length - 1;
    const [beforeA, beforeB] = [reloads(a), reloads(b)];
    a.child.kill('SIGHUP');
    await waitFor(() => reloads(a) > beforeA && reloads(b) > beforeB, 10_000);
  });

  it('remembers a conversation across instances: a follow-up on one continues a question asked on the other', async () => {
    const first = await chat(a, 'follow-up-user', '临江的邻里中心建好了吗');
    expect(first.answer).toContain('临江产业邻里中心');
    const followUp = await chat(b, 'follow-up-user', '那芯谷的呢？');
    expect(followUp.answer).toContain('芯谷产业邻里中心');
    const logged = await db.query("SELECT question FROM question_log WHERE user_id = 'follow-up-user' ORDER BY id DESC LIMIT 1");
    expect(logged.rows[0].question).toBe('那芯谷的呢，芯谷的邻里中心建好了吗');
  });

  it('accepts on one instance a ticket created through the other', async () => {
    const opened = await chat(a, 'worker-li', '医药港宿舍空调坏了，派人修，电话13812345678');
    expect(opened.ticket).not.toBeNull();
    const id = opened.ticket!.id;
    const seen = await call(b, `/api/tickets/${id}`, { headers: bearer });
    expect(seen.status).toBe(200);
    expect(((await seen.json()) as { status: string }).status).toBe('assigned');
    expect((await call(b, `/api/tickets/${id}/accept`, { method: 'POST', headers: bearer })).status).toBe(200);
    expect((await call(a, `/api/tickets/${id}/accept`, { method: 'POST', headers: bearer })).status).toBe(409);
    expect((await events(id)).filter((event) => event.type === 'accepted')).toHaveLength(1);
  });

  it('leaves exactly one winner of 20 concurrent accepts split across both instances', async () => {
    const opened = await chat(b, 'worker-wang', '芯谷社区宿舍水管漏水，请派人来修，电话13900001111');
    const id = opened.ticket!.id;
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(i % 2 ? a : b, `/api/tickets/${id}/accept`, { method: 'POST', headers: bearer })));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    expect((await events(id)).filter((event) => event.type === 'accepted')).toHaveLength(1);
  });

  it('answers a WeCom callback delivered to both instances once', async () => {
    const inner = `<xml><ToUserName><![CDATA[${WECOM_SAMPLE.corpId}]]></ToUserName><FromUserName><![CDATA[twice-user]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[邻里中心一共能提供多少间房？]]></Content><MsgId>7300000000000000001</MsgId><AgentID>1000002</AgentID></xml>`;
    const encrypt = wecomEncrypt(WECOM_SAMPLE.aesKey, inner, WECOM_SAMPLE.corpId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '20261127';
    const query = `msg_signature=${getSignature(WECOM_SAMPLE.token, timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`;
    const body = `<xml><ToUserName><![CDATA[${WECOM_SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
    const deliveries = await Promise.all([a, b, a, b].map((instance) => call(instance, `/wecom/app?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } })));
    expect(deliveries.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const sentTo = () => wecom.requestsTo('/cgi-bin/message/send').filter((request) => request.body?.touser === 'twice-user');
    await waitFor(() => sentTo().length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sentTo()).toHaveLength(1);
    expect(sentTo()[0]!.body.text.content).toMatch(/14108/);
    const logged = await db.query("SELECT COUNT(*)::int AS n FROM question_log WHERE user_id = 'twice-user'");
    expect(logged.rows[0].n).toBe(1);
  });

  it('holds the WeChat login and the service-level timers on one instance, and moves both when it is killed', async () => {
    expect(await leaseHolder('sla')).toBe('instance-a');
    expect(await leaseHolder('wechaty')).toBe('instance-a');
    expect(a.output()).toMatch(/"channel":"wechaty".*"msg":"channel started"/);
    expect(b.output()).not.toMatch(/"channel":"wechaty".*"msg":"channel started"/);
    // District staff opening the login page on the wrong instance are told which one has it.
    const elsewhere = await (await call(b, '/admin/wechaty-login', { headers: bearer })).text();
    expect(elsewhere, elsewhere).toContain('微信登录由实例 instance-a 负责');

    // A ticket nobody accepts; its deadlines come due a moment after instance A dies.
    const opened = await chat(b, 'worker-zhao', '临江社区宿舍门锁坏了，请派人修，电话13700002222');
    const id = opened.ticket!.id;
    const soon = new Date(Date.now() + 1500).toISOString();
    await db.query('UPDATE tickets SET accept_due_at = $1, escalate_due_at = $1 WHERE id = $2', [soon, id]);
    a.child.kill('SIGKILL');
    await a.exited;

    await waitFor(async () => (await events(id)).some((event) => event.type === 'escalated'), 15_000);
    const fired = await events(id);
    expect(fired.filter((event) => event.type === 'escalated')).toHaveLength(1);
    expect(fired.filter((event) => event.type === 'reminded')).toHaveLength(1);
    expect(await leaseHolder('sla')).toBe('instance-b');
    await waitFor(async () => (await leaseHolder('wechaty')) === 'instance-b', 10_000);
    await waitFor(() => /"channel":"wechaty".*"msg":"channel started"/.test(b.output()), 10_000);
  }, 40_000);

  it('on SIGTERM finishes the answer in flight, releases its leases and exits cleanly', async () => {
    // A third instance whose chat model takes a while: the question is mid-answer when SIGTERM comes.
    const model = await new FakeOpenAIServer({ chat: () => '邻里中心可提供14108间房源[1]。' }).start();
    model.enqueue('/v1/chat/completions', { kind: 'delay', ms: 600 }, { kind: 'delay', ms: 600 });
    const c = await launch('instance-c', { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: model.baseURL });
    const inFlight = call(c, '/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'last-one', text: '邻里中心一共能提供多少间房？' }) });
    await waitFor(() => model.requestsTo('/v1/chat/completions').length > 0, 10_000);
    c.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { answer: string }).answer).toMatch(/14108/);
    expect(await c.exited).toBe(0);
    expect(await b.exited).toBe(0);
    expect(c.output()).toMatch(/shutting down: finishing requests in flight[\s\S]*shut down cleanly/);
    expect((await db.query('SELECT name FROM leases')).rows).toEqual([]);
    await model.stop();
  }, 60_000);
});
