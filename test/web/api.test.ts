import { cp } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { Accounts } from '../../src/http/auth.ts';
import { errorHandler } from '../../src/http/errors.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { silentLogger, temporaryDirectory } from '../helpers.ts';

const ADMIN = 'district-admin-token-2026';

type Client = { cookie: string; csrf: string };

describe('HTTP API', () => {
  let app: AppServices;
  let server: Server;
  let base: string;
  let cleanup: () => Promise<void>;
  const call = (url: string, init: RequestInit = {}) => fetch(`${base}${url}`, init);
  const json = (body: unknown, extra: Record<string, string> = {}) => ({ method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
  /** A chat page visitor: the signed cookie the page hands out. */
  const visitorCookie = async () => ({ cookie: (await call('/')).headers.get('set-cookie')!.split(';')[0]! });
  const updatesOf = (user: string, headers: Record<string, string>) => call(`/api/chat/${encodeURIComponent(`web:${user}`)}/updates?after=0&user=${encodeURIComponent(user)}`, { headers });

  async function signIn(worker: string, password: string): Promise<Client> {
    const response = await call('/api/session/worker', json({ worker, password }));
    expect(response.status).toBe(200);
    return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await response.json()) as { csrf: string }).csrf };
  }
  const as = (client: Client, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), cookie: client.cookie, 'x-csrf-token': client.csrf } });

  beforeAll(async () => {
    const temporary = await temporaryDirectory();
    cleanup = temporary.cleanup;
    await cp(path.resolve('knowledge'), path.join(temporary.dir, 'knowledge'), { recursive: true });
    app = await createApp(
      loadConfig({ DATA_DIR: temporary.dir, KNOWLEDGE_DIR: path.join(temporary.dir, 'knowledge'), ADMIN_TOKEN: ADMIN, CHAT_API_KEYS: 'key-hr-system,acme:key-acme-2026', RATE_LIMIT_CHAT_PER_USER: '5', UPLOAD_LIMIT_MB: '1' }),
      silentLogger,
    );
    await app.knowledge.ingest();
    const accounts = new Accounts(app.sql, app.clock);
    await accounts.setPassword('w-yyg-01', 'zhangmin-2026');
    await accounts.setPassword('w-dc-01', 'chengang-2026');
    server = createHttpApp(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await app.close();
    await cleanup();
  });

  describe('POST /api/chat', () => {
    const key = { 'x-api-key': 'key-hr-system' };

    it('answers with the same JSON as cli ask, given a valid API key', async () => {
      const response = await call('/api/chat', json({ user: 'hr-1', text: '区企业综合服务中心有几个' }, key));
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ route: 'answer', category: null, ticket: null });
      expect(String(body.answer)).toContain('1个区企业综合服务中心');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    });

    it('streams text-delta, citations and done events', async () => {
      const response = await call('/api/chat', json({ user: 'hr-2', text: '邻里中心有多少房源' }, { ...key, accept: 'text/event-stream' }));
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      const events = [...(await response.text()).matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
      expect(events[0]).toBe('text-delta');
      expect(events.slice(-2)).toEqual(['citations', 'done']);
    });

    it('refuses a request without a valid key (401), and lets the chat page in with its visitor cookie', async () => {
      expect((await call('/api/chat', json({ user: 'x', text: '你好' }))).status).toBe(401);
      const wrong = await call('/api/chat', json({ user: 'x', text: '你好' }, { 'x-api-key': 'key-hr-systen' }));
      expect(wrong.status).toBe(401);
      expect((await errorOf(wrong)).message).toBe('缺少有效的 API 密钥。');
      const page = await call('/');
      const visitor = page.headers.get('set-cookie')!.split(';')[0]!;
      expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await call('/api/chat', json({ user: 'visitor', text: '你好' }, { cookie: visitor }))).status).toBe(200);
      expect((await call('/api/chat', json({ user: 'visitor', text: '你好' }, { cookie: `${visitor.slice(0, -2)}00` }))).status).toBe(401);
    });

    it('answers 400 for malformed JSON and wrong or missing fields, and 413 for an oversized body', async () => {
      const malformed = await call('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', ...key }, body: '{"user": "x",' });
      expect(malformed.status).toBe(400);
      expect(await errorOf(malformed)).toEqual({ code: 'malformed_json', message: '请求不是有效的 JSON。' });
      const wrongType = await call('/api/chat', json({ user: 42, text: '你好' }, key));
      expect(wrongType.status).toBe(400);
      expect((await errorOf(wrongType)).message).toBe('请求内容不正确：用户缺失或格式不对。');
      const missing = await call('/api/chat', json({ user: 'x' }, key));
      expect((await errorOf(missing)).message).toBe('请求内容不正确：内容缺失或格式不对。');
      const huge = await call('/api/chat', json({ user: 'x', text: '长'.repeat(20_000) }, key));
      expect(huge.status).toBe(413);
      expect((await errorOf(huge)).code).toBe('payload_too_large');
    });

    it('limits one user\'s messages per minute with a Chinese message', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await call('/api/chat', json({ user: 'flood', text: `你好${i}` }, key))).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const limited = await call('/api/chat', json({ user: 'flood', text: '再来' }, key));
      expect(limited.status).toBe(429);
      expect((await errorOf(limited)).message).toBe('发送太频繁了，请稍等一分钟再试。');
      expect((await call('/api/chat', json({ user: 'someone-else', text: '你好' }, key))).status).toBe(200);
    });

    it('takes 👍/👎 feedback on an answer it gave, and refuses an unknown one', async () => {
      const answer = (await (await call('/api/chat', json({ user: 'fb', text: '邻里中心有多少房源' }, key))).json()) as { messageId: string };
      expect((await call('/api/feedback', json({ messageId: answer.messageId, user: 'fb', rating: 'down' }, key))).status).toBe(201);
      expect((await call('/api/feedback', json({ messageId: 'no-such-answer', user: 'fb', rating: 'up' }, key))).status).toBe(404);
      expect((await call('/api/feedback', json({ messageId: answer.messageId, user: 'fb', rating: 'meh' }, key))).status).toBe(400);
      expect((await call('/api/feedback', json({ messageId: answer.messageId, user: 'fb', rating: 'up' }, await visitorCookie()))).status).toBe(403);
    });

    it('keeps a web user and conversation for the caller that used them first', async () => {
      const visitor = await visitorCookie();
      expect((await call('/api/chat', json({ user: 'hr-owned', text: '你好' }, key))).status).toBe(200);
      const taken = await call('/api/chat', json({ user: 'hr-owned', text: '你好' }, visitor));
      expect(taken.status).toBe(403);
      expect(await errorOf(taken)).toEqual({ code: 'not_yours', message: '这个用户或会话属于其他接入方，不能代为发送或查看。' });
      expect((await call('/api/chat', json({ user: 'hr-owned', text: '你好' }, { 'x-api-key': 'key-acme-2026' }))).status).toBe(403);
      // Another user writing into that conversation, or reading it, is refused as well.
      expect((await call('/api/chat', json({ user: 'web-mine', text: '你好', conversation: 'web:hr-owned' }, visitor))).status).toBe(403);
      expect((await updatesOf('hr-owned', visitor)).status).toBe(403);
      // The visitor's own user and conversation are theirs, from the first poll on.
      expect((await updatesOf('web-mine', visitor)).status).toBe(200);
      expect((await call('/api/chat', json({ user: 'web-mine', text: '你好' }, visitor))).status).toBe(200);
      expect((await updatesOf('web-mine', await visitorCookie())).status).toBe(403);
      expect((await call(`/api/chat/web%3Ax/updates?user=${'长'.repeat(65)}`, { headers: visitor })).status).toBe(400);
    });
  });

  describe('tickets and roles', () => {
    let ticketId: number;
    beforeAll(async () => {
      const opened = (await (await call('/api/chat', json({ user: 'requester', text: '医药港宿舍空调坏了，派人修，电话13812345678' }, { 'x-api-key': 'key-hr-system' }))).json()) as { ticket: { id: number } };
      ticketId = opened.ticket.id;
    });

    it('requires signing in', async () => {
      expect((await call('/api/tickets')).status).toBe(401);
      expect((await call(`/api/tickets/${ticketId}/accept`, { method: 'POST' })).status).toBe(401);
      const wrong = await call('/api/session/worker', json({ worker: 'w-yyg-01', password: 'nope-nope' }));
      expect(wrong.status).toBe(401);
      expect((await errorOf(wrong)).message).toBe('工号或密码不对。');
    });

    it('shows a worker their own community only: another community\'s ticket is 403', async () => {
      const zhang = await signIn('w-yyg-01', 'zhangmin-2026');
      const chen = await signIn('陈刚（示例）', 'chengang-2026');
      const mine = (await (await call('/api/tickets', as(zhang))).json()) as { tickets: { id: number; contact: string }[] };
      expect(mine.tickets.map((ticket) => ticket.id)).toContain(ticketId);
      expect(mine.tickets.find((ticket) => ticket.id === ticketId)!.contact).toBe('13812345678'); // the assignee sees it
      expect(mine.tickets.find((ticket) => ticket.id === ticketId)).toMatchObject({ categoryLabel: '报修', communityName: '医药港产业社区', channelName: '网页', assigneeName: '张敏（示例）' });
      const theirs = (await (await call('/api/tickets', as(chen))).json()) as { tickets: unknown[] };
      expect(theirs.tickets).toEqual([]);
      expect((await call(`/api/tickets/${ticketId}`, as(chen))).status).toBe(403);
      expect((await call(`/api/tickets?community=yiyaogang`, as(chen))).status).toBe(403);
      const forbidden = await call(`/api/tickets/${ticketId}/accept`, as(chen, { method: 'POST' }));
      expect(forbidden.status).toBe(403);
      expect((await errorOf(forbidden)).message).toBe('这张工单不属于你所在的社区。');
    });

    it('names the requester on the ticket as the enterprise system names them', async () => {
      const opened = (await (await call('/api/chat', json({ user: 'hr-0042', name: '人事 张洁', text: '医药港宿舍的水管漏水了，派人修' }, { 'x-api-key': 'key-hr-system' }))).json()) as { ticket: { id: number } };
      expect((await app.tickets.get(opened.ticket.id))!.requester).toMatchObject({ userId: 'hr-0042', userName: '人事 张洁' });
      const tooLong = await call('/api/chat', json({ user: 'hr-0042', name: '名'.repeat(33), text: '你好' }, { 'x-api-key': 'key-hr-system' }));
      expect(tooLong.status).toBe(400);
    });

    it('shows a complaint to the supervisor who has it, not to the community\'s other workers', async () => {
      const opened = (await (await call('/api/chat', json({ user: 'complainer', text: '我要投诉医药港的张敏，态度很差' }, { 'x-api-key': 'key-hr-system' }))).json()) as { ticket: { id: number } };
      const zhang = await signIn('w-yyg-01', 'zhangmin-2026');
      const listed = (await (await call('/api/tickets', as(zhang))).json()) as { tickets: { id: number }[] };
      expect(listed.tickets.map((ticket) => ticket.id)).toContain(ticketId);
      expect(listed.tickets.map((ticket) => ticket.id)).not.toContain(opened.ticket.id);
      const hidden = await call(`/api/tickets/${opened.ticket.id}`, as(zhang));
      expect(hidden.status).toBe(403);
      expect((await errorOf(hidden)).message).toBe('这张工单只有社区负责人和承办人可以查看。');
      const all = (await (await call('/api/tickets', { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { tickets: { id: number; assignee: string }[] };
      expect(all.tickets.find((ticket) => ticket.id === opened.ticket.id)).toMatchObject({ assignee: 's-yiyaogang' });
    });

    it('requires the CSRF token for state changes by a signed-in worker', async () => {
      const zhang = await signIn('w-yyg-01', 'zhangmin-2026');
      const withoutToken = await call(`/api/tickets/${ticketId}/accept`, { method: 'POST', headers: { cookie: zhang.cookie } });
      expect(withoutToken.status).toBe(403);
      expect((await errorOf(withoutToken)).code).toBe('csrf_failed');
    });

    it('lets the worker accept, reply and resolve, with clear errors', async () => {
      const zhang = await signIn('w-yyg-01', 'zhangmin-2026');
      expect((await call(`/api/tickets/${ticketId}/accept`, as(zhang, { method: 'POST' }))).status).toBe(200);
      const again = await call(`/api/tickets/${ticketId}/accept`, as(zhang, { method: 'POST' }));
      expect(again.status).toBe(409);
      expect((await errorOf(again)).message).toMatch(/已由张敏（示例）接单/);
      expect((await call(`/api/tickets/${ticketId}/reply`, as(zhang, json({ text: '' })))).status).toBe(400);
      expect((await call(`/api/tickets/${ticketId}/reply`, as(zhang, json({ text: '明天上午上门' })))).status).toBe(200);
      const detail = (await (await call(`/api/tickets/${ticketId}`, as(zhang))).json()) as { events: { type: string }[] };
      expect(detail.events.map((event) => event.type)).toEqual(['created', 'assigned', 'accepted', 'replied']);
      expect((await call('/api/tickets/abc', as(zhang))).status).toBe(400);
      expect((await call('/api/tickets/99999', as(zhang))).status).toBe(404);
      expect((await call('/api/tickets?status=lost', as(zhang))).status).toBe(400);
    });

    it('brings the worker\'s reply back to the system that opened the ticket, and to no one else', async () => {
      const updates = await updatesOf('requester', { 'x-api-key': 'key-hr-system' });
      expect(updates.status).toBe(200);
      const body = (await updates.json()) as { messages: { text: string }[]; ticket: { id: number; live: boolean } };
      expect(body.messages.map((message) => message.text).join('\n')).toContain('明天上午上门');
      expect(body.ticket).toMatchObject({ id: ticketId, live: true });
      const events = (await app.tickets.events(ticketId)).length;
      const visitor = await visitorCookie();
      expect((await updatesOf('requester', visitor)).status).toBe(403);
      expect((await call('/api/chat', json({ user: 'requester', text: '我改一下地址，是2号楼' }, visitor))).status).toBe(403);
      expect((await app.tickets.events(ticketId)).length).toBe(events);
    });

    it('lets district staff with the admin token see every community and act as the supervisor', async () => {
      const bearer = { authorization: `Bearer ${ADMIN}` };
      const all = (await (await call('/api/tickets', { headers: bearer })).json()) as { tickets: { id: number }[] };
      expect(all.tickets.map((ticket) => ticket.id)).toContain(ticketId);
      const transfer = await call(`/api/tickets/${ticketId}/transfer`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ worker: '李华' }) });
      expect(transfer.status).toBe(200);
      expect((await app.tickets.events(ticketId)).at(-1)).toMatchObject({ type: 'transferred', actor: 's-yiyaogang' });
      expect((await call('/api/tickets', { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(401);
    });
  });

  describe('knowledge, insights, health and metrics', () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const upload = (name: string, body: string | Buffer, extra = '') => call(`/api/knowledge?filename=${encodeURIComponent(name)}${extra}`, { method: 'POST', headers: admin, body });

    it('is for district staff only', async () => {
      const zhang = await signIn('w-yyg-01', 'zhangmin-2026');
      expect((await call('/api/knowledge', as(zhang))).status).toBe(403);
      expect((await call('/api/insights', as(zhang))).status).toBe(403);
      expect((await call('/api/knowledge')).status).toBe(401);
    });

    it('lists documents and refuses bad uploads with the reason', async () => {
      const list = (await (await call('/api/knowledge', { headers: admin })).json()) as { documents: { source: string; chunks: number }[]; lastIndexed: string };
      expect(list.documents.length).toBe(9);
      expect(list.lastIndexed).toBeTruthy();
      expect((await errorOf(await upload('../etc/passwd.md', '# x'))).code).toBe('invalid_request');
      expect((await upload('notes.exe', 'x')).status).toBe(400);
      const corrupt = await upload('broken.pdf', '%PDF-1.4 truncated garbage');
      expect(corrupt.status).toBe(400);
      expect((await errorOf(corrupt)).message).toMatch(/^文件无法读取：/);
      expect((await upload('empty.md', '')).status).toBe(400);
      expect((await upload('big.md', Buffer.alloc(2 * 1024 * 1024, 'a'))).status).toBe(413);
    });

    it('holds back an upload that makes labelled questions worse until it is confirmed', async () => {
      const spam = '---\ntitle: 邻里中心房源宿舍公寓\n---\n# 邻里中心房源宿舍公寓\n邻里中心房源宿舍公寓房间邻里中心房源。邻里中心房源房间宿舍住房。\n';
      const held = await upload('spam.md', spam);
      expect(held.status).toBe(409);
      const error = (await held.json()) as { error: { code: string; message: string; details: { worse: unknown[]; better: unknown[] } } };
      expect(error.error.code).toBe('regression');
      expect(error.error.details.worse.length).toBeGreaterThan(0);
      expect((await (await call('/api/knowledge', { headers: admin })).json() as { documents: unknown[] }).documents).toHaveLength(9);
      const confirmed = await upload('spam.md', spam, '&confirm=1');
      expect(confirmed.status).toBe(201);
      expect(((await confirmed.json()) as { report: { added: string[] } }).report.added).toEqual(['spam.md']);
      const removed = await call('/api/knowledge/spam.md', { method: 'DELETE', headers: admin });
      expect(removed.status).toBe(200);
      expect((await call('/api/knowledge/spam.md', { method: 'DELETE', headers: admin })).status).toBe(404);
    });

    it('does hit testing for a question or an eval file', async () => {
      const one = (await (await call('/api/knowledge/test', json({ question: '生物医药服务驿站' }, admin))).json()) as { hits: { text: string }[] };
      expect(one.hits[0]!.text).toContain('生物医药');
      const file = (await (await call('/api/knowledge/test', json({ eval: '{"question": "邻里中心有多少房源", "expect": ["14108"]}' }, admin))).json()) as { retrieval: { n: number; 'recall@5': number } };
      expect(file.retrieval).toMatchObject({ n: 1, 'recall@5': 1 });
      expect((await call('/api/knowledge/test', json({ eval: '{oops' }, admin))).status).toBe(400);
    });

    it('re-indexes on request, reporting progress as events', async () => {
      const plain = (await (await call('/api/knowledge/reindex', { method: 'POST', headers: admin })).json()) as { report: { files: number; embedded: number } };
      expect(plain.report).toMatchObject({ files: 9, embedded: 0 });
      const streamed = await (await call('/api/knowledge/reindex', { method: 'POST', headers: { ...admin, accept: 'text/event-stream' } })).text();
      expect(streamed).toMatch(/event: progress\ndata: \{"phase":"embed","done":0,"total":0\}/);
      expect(streamed).toMatch(/event: done\ndata: \{"report":/);
    });

    it('reports insights', async () => {
      const insights = (await (await call('/api/insights', { headers: admin })).json()) as Record<string, unknown>;
      expect(Object.keys(insights).sort()).toEqual(['feedback', 'questionsPerDay', 'routes', 'satisfaction', 'serviceLevelBreaches', 'tickets', 'topTopics', 'unanswered']);
      expect((insights.feedback as { down: number }).down).toBeGreaterThanOrEqual(1);
      expect((insights.tickets as { byCategory: { category: string }[] }).byCategory.map((row) => row.category)).toContain('repair');
    });

    it('reports health and Prometheus metrics', async () => {
      const health = (await (await call('/healthz')).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', database: true, index: { loaded: true } });
      expect((await call('/metrics')).status).toBe(401);
      const metrics = await (await call('/metrics', { headers: admin })).text();
      expect(metrics).toMatch(/rongzhi_http_requests_total\{method="POST",route="\/api\/chat",status="200"\} \d+/);
      expect(metrics).toContain('rongzhi_http_request_duration_seconds_bucket');
      expect(metrics).toMatch(/rongzhi_answer_duration_seconds_count\{route="answer"\} \d+/);
      expect(metrics).toMatch(/rongzhi_tickets\{status="\w+"\} \d+/);
      expect(metrics).toMatch(/rongzhi_retrieval_duration_seconds_count [1-9]\d*/);
      expect(metrics).toContain('rongzhi_model_duration_seconds_count 0');
      expect(metrics).toMatch(/rongzhi_http_requests_waiting \d+/);
      expect((await errorOf(await call('/nowhere'))).message).toBe('没有这个地址。');
    });
  });

  it('limits requests per IP address', async () => {
    const temporary = await temporaryDirectory();
    const limited = await createApp(loadConfig({ DATA_DIR: temporary.dir, RATE_LIMIT_PER_IP: '3' }), silentLogger);
    await limited.knowledge.ingest();
    const small = createHttpApp(limited).listen(0, '127.0.0.1');
    await new Promise((resolve) => small.once('listening', resolve));
    const url = `http://127.0.0.1:${(small.address() as AddressInfo).port}/api/tickets`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(url)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const health = await fetch(url.replace('/api/tickets', '/healthz'));
    expect(health.status).toBe(200); // health checks are never limited
    small.close();
    await limited.close();
    await temporary.cleanup();
  });

  it('never sends a stack trace to a client', () => {
    let status = 0;
    let body: unknown;
    const res = { headersSent: false, status: (code: number) => ((status = code), res), json: (value: unknown) => (body = value) } as never;
    errorHandler(silentLogger)(new Error('secret internals at /srv/app.ts:12'), { path: '/x' } as never, res, () => {});
    expect(status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal_error', message: '服务暂时出了点问题，请稍后再试。' } });
  });
});

describe('the chat page across a restart', () => {
  it('keeps a visitor cookie valid without SESSION_SECRET, and with it the visitor\'s conversation', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const start = async () => {
      const app = await createApp(loadConfig({ DATA_DIR: dir }), silentLogger);
      const server = createHttpApp(app).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return { base, stop: async () => (server.close(), await app.close()) };
    };
    const say = (base: string, cookie: string) =>
      fetch(`${base}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ user: 'web-restart', text: '你好' }) });
    const first = await start();
    const cookie = (await fetch(`${first.base}/`)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await say(first.base, cookie)).status).toBe(200);
    await first.stop();
    const second = await start();
    expect((await say(second.base, cookie)).status).toBe(200);
    // A cookie signed with another secret is not that visitor's.
    const forged = cookie.replace(/\.[0-9a-f]+$/, `.${'0'.repeat(32)}`);
    expect((await say(second.base, forged)).status).toBe(403);
    await second.stop();
    await cleanup();
  });
});
