import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../helpers.ts';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

describe('cli (as a user runs it)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => run(tsx, ['src/cli.ts', ...args], { env, maxBuffer: 10 * 1024 * 1024 });

  beforeAll(async () => {
    ({ dir, cleanup } = await temporaryDirectory());
    env = { PATH: process.env.PATH, DATA_DIR: dir, LOG_LEVEL: 'info' };
  });
  afterAll(() => cleanup());

  it('ingest prints a summary and reports skipped files with their reasons', async () => {
    const { stdout } = await cli('ingest', '--dir', 'test/fixtures/corrupt');
    expect(stdout).toMatch(/已索引 1 个文件/);
    expect(stdout).toMatch(/跳过 6 个文件/);
    expect(stdout).toMatch(/not-utf8\.txt：the file is not valid UTF-8/);
  });

  it('ingest of the knowledge base, then search --json prints one JSON document with logs on stderr', async () => {
    const ingest = await cli('ingest', '--json');
    const report = JSON.parse(ingest.stdout);
    expect(report.files).toBe(9);
    expect(report.removed).toEqual(['good.md']);

    const { stdout, stderr } = await cli('search', '邻里中心一共有多少房间', '--k', '5', '--json');
    const result = JSON.parse(stdout);
    expect(result.query).toBe('邻里中心一共有多少房间');
    expect(result.hits).toHaveLength(5);
    expect(Object.keys(result.hits[0]).sort()).toEqual(['rank', 'score', 'section', 'source', 'text', 'title']);
    expect(result.hits.map((hit: { rank: number }) => hit.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(result.hits.some((hit: { text: string }) => hit.text.includes('14108'))).toBe(true);
    expect(stderr).not.toContain('{"query"');
  });

  it('eval --json prints retrieval scores for all three modes, and its requests reach no worker', async () => {
    const file = path.join(dir, 'mini.jsonl');
    const lines = [
      '{"question": "邻里中心有多少房源", "expect": ["14108"]}',
      '{"question": "你好", "route": "greeting"}',
      '{"question": "宿舍空调坏了，派人修一下", "route": "handoff", "category": "repair"}',
      '{"question": "医药港宿舍水管漏水，派人修，电话13812345678", "route": "handoff", "category": "repair"}',
    ];
    await writeFile(file, lines.join('\n'));
    const { stdout } = await cli('eval', '--file', file, '--json');
    const result = JSON.parse(stdout);
    expect(result.retrieval).toMatchObject({ n: 1, 'recall@5': 1 });
    expect(Object.keys(result.retrieval).sort()).toEqual(['mrr', 'n', 'recall@1', 'recall@3', 'recall@5']);
    expect(Object.keys(result.retrievalByMode).sort()).toEqual(['hybrid', 'lexical', 'vector']);
    expect(result.routing).toEqual({ n: 3, accuracy: 1, categoryAccuracy: 1 });
    // Neither a ticket nor a half-filled request is left in the database: the next run scores the same.
    expect(JSON.parse((await cli('tickets', 'list', '--json')).stdout)).toEqual([]);
    expect(JSON.parse((await cli('eval', '--file', file, '--json')).stdout)).toEqual(result);
  });

  it('fails with a clear message on bad input, without a stack trace', async () => {
    const badK = await cli('search', '房源', '--k', '0').catch((error) => error);
    expect(badK.code).toBe(1);
    expect(badK.stderr).toMatch(/must be a whole number of at least 1/);
    const badEnv = await run(tsx, ['src/cli.ts', 'search', '房源'], { env: { ...env, PORT: 'x' } }).catch((error) => error);
    expect(badEnv.stderr).toMatch(/PORT must be a number/);
    expect(badEnv.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('search refuses an index built with another embedder and says to ingest again', async () => {
    const error = await run(tsx, ['src/cli.ts', 'search', '房源'], { env: { ...env, LOCAL_EMBEDDING_DIMENSIONS: '512' } }).catch((caught) => caught);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/built with the embedder local-hash-v1 \(2048 dimensions\).*ingest` again/);
  });
});

describe('cli ask', () => {
  it('prints exactly {route, category, answer, citations, ticket}', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const env = { PATH: process.env.PATH, DATA_DIR: dir };
    const { stdout } = await run(tsx, ['src/cli.ts', 'ask', '区企业综合服务中心有几个', '--json'], { env });
    const result = JSON.parse(stdout);
    expect(Object.keys(result).sort()).toEqual(['answer', 'category', 'citations', 'route', 'ticket']);
    expect(result).toMatchObject({ route: 'answer', category: null, ticket: null });
    expect(result.answer).toContain('1个区企业综合服务中心');
    expect(Object.keys(result.citations[0]).sort()).toEqual(['excerpt', 'n', 'section', 'source', 'title']);
    expect(result.citations.map((citation: { excerpt: string }) => citation.excerpt).join('')).toContain('区企业综合服务中心');
    const request = JSON.parse((await run(tsx, ['src/cli.ts', 'ask', '宿舍水管漏水了，麻烦派人来修', '--json'], { env })).stdout);
    expect(request).toMatchObject({ route: 'handoff', category: 'repair' });
    await cleanup();
  });
});

describe('cli tickets', () => {
  it('lists and shows tickets as JSON, with events and recorded notifications, masking for a non-assignee', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const env = { PATH: process.env.PATH, DATA_DIR: dir };
    const ask = async (text: string, user: string) => JSON.parse((await run(tsx, ['src/cli.ts', 'ask', text, '--user', user, '--json'], { env })).stdout);
    const opened = await ask('医药港宿舍热水器坏了，派人修，电话13812345678', 'cli-requester');
    expect(opened.ticket).toMatchObject({ status: 'assigned', category: 'repair', community: 'yiyaogang', assignee: 'w-yyg-01' });
    const accepted = await ask(`#${opened.ticket.id} 接单`, 'w-yyg-01');
    expect(accepted.answer).toContain('已接单');

    const list = JSON.parse((await run(tsx, ['src/cli.ts', 'tickets', 'list', '--json'], { env })).stdout);
    expect(list).toEqual([expect.objectContaining({ id: opened.ticket.id, status: 'accepted', contact: '138****5678' })]);
    const shown = JSON.parse((await run(tsx, ['src/cli.ts', 'tickets', 'show', String(opened.ticket.id), '--json'], { env })).stdout);
    expect(shown.events.map((event: { type: string }) => event.type)).toEqual(['created', 'assigned', 'accepted']);
    expect(shown.notifications.map((notification: { recipient: string }) => notification.recipient.split(':')[0])).toEqual(['worker', 'staff-group', 'address']);
    expect(shown.notifications.every((notification: { status: string }) => notification.status === 'recorded')).toBe(true);
    expect(JSON.stringify(shown)).not.toContain('13812345678');
    const asAssignee = JSON.parse((await run(tsx, ['src/cli.ts', 'tickets', 'show', `#${opened.ticket.id}`, '--as', 'w-yyg-01', '--json'], { env })).stdout);
    expect(asAssignee.contact).toBe('13812345678');
    const missing = await run(tsx, ['src/cli.ts', 'tickets', 'show', '99999'], { env }).catch((error) => error);
    expect(missing.stderr).toContain('没有找到工单 #99999');
    await cleanup();
    // Six CLI processes one after another: 18 s alone here, more beside the other test files.
  }, 90_000);
});
