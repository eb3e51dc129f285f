import { cp, mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { Accounts } from '../../src/http/auth.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { scalar, silentLogger, temporaryDirectory } from '../helpers.ts';

const ARTIFACTS = path.resolve('test-results/screenshots');
const ADMIN_TOKEN = 'district-admin-token-2026';

describe('the pages in a real browser (headless Chromium)', () => {
  let app: AppServices;
  let server: Server;
  let browser: Browser;
  let base: string;
  let cleanup: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    ({ dir, cleanup } = await temporaryDirectory());
    await cp(path.resolve('knowledge'), path.join(dir, 'knowledge'), { recursive: true });
    app = await createApp(loadConfig({ DATA_DIR: dir, KNOWLEDGE_DIR: path.join(dir, 'knowledge'), ADMIN_TOKEN }), silentLogger);
    await app.knowledge.ingest();
    await new Accounts(app.sql, app.clock).setPassword('w-yyg-01', 'zhangmin-2026');
    server = createHttpApp(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await app?.close();
    await cleanup?.();
  });

  it('an HR officer asks a policy question and sees a cited answer that opens its passage', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    page.setDefaultTimeout(8000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${base}/`);
    await page.fill('#input', '我们是生物医药企业，区里有没有专门对接的服务点？');
    await page.press('#input', 'Enter');
    const source = page.locator('.bubble.bot .source').first();
    await source.waitFor({ timeout: 10_000 });
    const answer = await page.locator('.bubble.bot').last().innerText();
    expect(answer).toContain('生物医药产业服务驿站');
    expect(await source.innerText()).toMatch(/^\[1\]《/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'hr-cited-answer.png') });
    await source.click();
    await page.locator('#passage[open]').waitFor();
    expect(await page.locator('#passage-text').innerText()).toContain('生物医药');
    await page.click('#passage-close');
    await page.locator('.bubble.bot .actions button').first().click();
    await page.locator('.bubble.bot .actions button.chosen').waitFor();
    expect(await scalar(app, 'SELECT COUNT(*) FROM feedback WHERE rating = 1')).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a worker on a phone sees the whole of a long question while typing it, and a one-line box again once it is sent', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    page.setDefaultTimeout(8000);
    await page.goto(`${base}/`);
    const height = () => page.locator('#input').evaluate((box: { clientHeight: number; scrollHeight: number }) => ({ shown: box.clientHeight, needed: box.scrollHeight }));
    const empty = await height();
    // The hint fits on one line: it had been cut off after "按 Enter 发".
    expect(empty.needed).toBeLessThanOrEqual(empty.shown);
    await page.fill('#input', '你好，我是医药港一家企业的人事，我们想给新来的员工申请宿舍，邻里中心还有房吗？房租怎么算？');
    const typed = await height();
    expect(typed.shown).toBeGreaterThan(empty.shown);
    expect(typed.needed).toBeLessThanOrEqual(typed.shown);
    await page.screenshot({ path: path.join(ARTIFACTS, 'phone-long-question.png') });
    await page.press('#input', 'Enter');
    await page.locator('.bubble.bot .source').first().waitFor({ timeout: 10_000 });
    expect((await height()).shown).toBe(empty.shown);
    await page.close();
  });

  it('a worker signs in, accepts a ticket opened through the chat, replies, and the requester sees the reply', async () => {
    const requester = await browser.newPage({ viewport: { width: 420, height: 800 } });
    requester.setDefaultTimeout(10_000);
    await requester.goto(`${base}/`);
    await requester.fill('#input', '医药港宿舍热水器坏了好几天了，麻烦派人来修');
    await requester.press('#input', 'Enter');
    await requester.locator('#ticket:not(.hidden)').waitFor({ timeout: 10_000 });
    const ticketText = await requester.locator('#ticket').innerText();
    const id = /#(\d+)/.exec(ticketText)![1];
    expect(ticketText).toContain('待接单');

    const worker = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    worker.setDefaultTimeout(10_000);
    await worker.goto(`${base}/console`);
    await worker.fill('#worker', 'w-yyg-01');
    await worker.fill('#password', 'wrong-password');
    await worker.click('#login-form button[type=submit]');
    await worker.locator('#login-error:has-text("工号或密码不对")').waitFor();
    await worker.fill('#password', 'zhangmin-2026');
    await worker.click('#login-form button[type=submit]');
    expect(await worker.locator(`#queue li[data-id="${id}"]`).innerText()).toContain('报修 · 医药港产业社区');
    await worker.locator(`#queue li[data-id="${id}"]`).click();
    // What the ticket is about, where, and how the requester wrote, as staff say them.
    expect(await worker.locator('#ticket-kind').innerText()).toBe('报修 · 医药港产业社区');
    expect(await worker.locator('#detail').innerText()).toMatch(/提出人：.*（网页私聊）/);
    await worker.locator('#accept').click();
    await worker.locator('#action-result:has-text("已接单")').waitFor();
    await worker.fill('#reply-text', '已联系物业，明天上午 9 点上门维修');
    await worker.locator('#send-reply').click();
    await worker.locator('#action-result:has-text("已发送")').waitFor();
    expect(await worker.locator('.timeline').innerText()).toMatch(/接单[\s\S]*回复：已联系物业/);
    await worker.screenshot({ path: path.join(ARTIFACTS, 'worker-console.png') });

    await requester.locator('.bubble.worker:has-text("已联系物业，明天上午 9 点上门维修")').waitFor({ timeout: 10_000 });
    expect(await requester.locator('.bubble.worker').last().innerText()).toContain(`【社区工作者 张敏（示例） · 工单 #${id}】`);
    expect(await requester.locator('#ticket').innerText()).toContain('处理中');
    await requester.screenshot({ path: path.join(ARTIFACTS, 'requester-sees-reply.png') });

    // Only what can be done now: an accepted ticket cannot be accepted again, a resolved one is for reading.
    expect(await worker.locator('#accept').count()).toBe(0);
    await worker.locator('#resolve').click();
    await worker.locator('#closed-note:has-text("这张工单已办结")').waitFor();
    expect(await worker.locator('#send-reply, #resolve').count()).toBe(0);
    await Promise.all([requester.close(), worker.close()]);
  });

  it('a worker asks what the documents do not say, presses 转人工, and the question itself becomes the request', async () => {
    const page = await browser.newPage({ viewport: { width: 420, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/`);
    await page.fill('#input', '蓝领公寓可以带宠物吗');
    await page.press('#input', 'Enter');
    await page.locator('.bubble.bot:has-text("现有资料里没有写明蓝领公寓的管理规定")').waitFor();
    await page.click('#handoff');
    await page.locator('.bubble.bot:has-text("我把你刚才问的问题转给社区工作者查询")').waitFor();
    await page.fill('#input', '医药港');
    await page.press('#input', 'Enter');
    await page.locator('#ticket:not(.hidden)').waitFor();
    const id = Number(/#(\d+)/.exec(await page.locator('#ticket').innerText())![1]);
    expect(await app.tickets.get(id)).toMatchObject({ category: 'housing', community: 'yiyaogang', description: '蓝领公寓可以带宠物吗' });
    await page.screenshot({ path: path.join(ARTIFACTS, 'question-to-person.png') });
    await page.close();
  });

  it('a visitor whose cookie is gone starts as a new user: the old user id is no longer theirs', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${base}/`);
    const userOf = () => page.evaluate<string | null>("localStorage.getItem('rz-user')");
    const first = await userOf();
    await page.fill('#input', '你好');
    await page.press('#input', 'Enter');
    // The greeting and an answer that has arrived (not the '…' placeholder).
    // A locator, not a string predicate: polling a string evaluates it in the page, which its CSP forbids.
    const answered = () => page.locator('.bubble.bot').nth(1).filter({ hasNotText: '…' }).waitFor();
    await answered();
    await context.clearCookies();
    await page.reload();
    await page.fill('#input', '你好');
    await page.press('#input', 'Enter');
    await answered();
    expect(await page.locator('.bubble.error').count()).toBe(0);
    const second = await userOf();
    expect(second).not.toBe(first);
    expect(await scalar(app, `SELECT COUNT(*) FROM chat_owners WHERE name = 'user:${second}'`)).toBe(1);
    await context.close();
  });

  it('an admin uploads a Markdown document and the next question finds it', async () => {
    const file = path.join(dir, 'night-school.md');
    await writeFile(file, '---\ntitle: 产业工人夜校\nissuer: 测试发文单位\nsource: 浏览器测试文档\ntags: [培训]\n---\n# 产业工人夜校\n## 开课时间\n产业工人夜校每周三晚上七点在党群服务中心开课。\n');
    const admin = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await admin.goto(`${base}/admin`);
    await admin.fill('#token', ADMIN_TOKEN);
    await admin.click('#login-form button[type=submit]');
    await admin.locator('#docs tr').first().waitFor();
    await admin.setInputFiles('#file', file);
    await admin.click('#upload');
    // A new document may push a labelled question down: the page asks before publishing.
    const outcome = admin.locator('#upload-result .ok, #confirm-upload');
    await outcome.first().waitFor({ timeout: 20_000 });
    if (await admin.locator('#confirm-upload').count()) await admin.click('#confirm-upload');
    await admin.locator('#upload-result .ok').waitFor({ timeout: 20_000 });
    await admin.locator('#docs td:has-text("产业工人夜校")').waitFor();
    await admin.screenshot({ path: path.join(ARTIFACTS, 'admin-upload.png') });
    await admin.click('[data-tab="insights"]');
    await admin.locator('#insights .card').first().waitFor();
    // Said in words: a kiosk without an emoji font would show boxes.
    expect(await admin.locator('#insights').innerText()).toContain('回答反馈：有用 1 · 没帮助 0');
    await admin.screenshot({ path: path.join(ARTIFACTS, 'admin-insights.png') });

    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.fill('#input', '夜校什么时候开课');
    await page.press('#input', 'Enter');
    await page.locator('.bubble.bot .source').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('.bubble.bot').last().innerText()).toContain('每周三晚上七点');
    await Promise.all([admin.close(), page.close()]);
  });
});
