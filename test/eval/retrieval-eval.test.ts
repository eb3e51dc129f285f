import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppServices } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { parseEvalFile, satisfies } from '../../src/eval/eval-file.ts';
import { evaluateRetrieval } from '../../src/eval/retrieval-eval.ts';
import { silentLogger, temporaryDirectory } from '../helpers.ts';

describe('eval file', () => {
  it('matches after NFKC, lower case and whitespace removal, with alternatives', () => {
    expect(satisfies('可提供 １４１０８ 间房源', ['14108间'])).toBe(true);
    expect(satisfies('ABC 服务', ['abc服务'])).toBe(true);
    expect(satisfies('下沙邻里中心', ['下沙', ['新雁', '邻里']])).toBe(true);
    expect(satisfies('下沙邻里中心', ['下沙', ['新雁', '临江']])).toBe(false);
  });

  it('reports a malformed line by number', () => {
    expect(() => parseEvalFile('{"question": "a"}\n{oops}\n')).toThrow(/line 2 is not valid JSON/);
    expect(() => parseEvalFile('{"question": ""}')).toThrow(/line 1 is not an eval question: question/);
    expect(() => parseEvalFile('{"question": "a", "expect": "b"}')).toThrow(/expect/);
  });
});

describe('retrieval on the shipped knowledge base and labelled set (offline)', () => {
  let app: AppServices;
  let cleanup: () => Promise<void>;
  const file = path.resolve('test/eval/questions.jsonl');

  beforeAll(async () => {
    const temporary = await temporaryDirectory();
    cleanup = temporary.cleanup;
    app = await createApp(loadConfig({ DATA_DIR: temporary.dir }), silentLogger);
    await app.knowledge.ingest();
  });
  afterAll(() => cleanup());

  it('ships at least 60 labelled questions', async () => {
    const lines = parseEvalFile(await readFile(file, 'utf8'));
    expect(lines.filter((line) => line.expect?.length).length).toBeGreaterThanOrEqual(60);
  });

  it('reaches hybrid recall@5 ≥ 0.95 and MRR ≥ 0.8, and fusion is at least as good as either side', async () => {
    const lines = parseEvalFile(await readFile(file, 'utf8'));
    const hybrid = (await evaluateRetrieval(app.knowledge, lines, 'hybrid')).scores;
    const lexical = (await evaluateRetrieval(app.knowledge, lines, 'lexical')).scores;
    const vector = (await evaluateRetrieval(app.knowledge, lines, 'vector')).scores;
    expect(hybrid['recall@5']).toBeGreaterThanOrEqual(0.95);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.8);
    expect(hybrid['recall@5']).toBeGreaterThanOrEqual(Math.max(lexical['recall@5'], vector['recall@5']));
  });

  it('has questions that land on every topic document', async () => {
    const lines = parseEvalFile(await readFile(file, 'utf8')).filter((line) => line.expect);
    const reached = new Set<string>();
    for (const line of lines) {
      const hits = await app.knowledge.search(line.question, { k: 5 });
      const hit = hits.find((candidate) => satisfies(candidate.chunk.text, line.expect!));
      if (hit) reached.add(hit.chunk.source);
    }
    expect([...reached].sort()).toEqual(Object.keys(app.knowledge.index!.manifest.sources).sort());
  });

  it('restricts search to a community by tag', async () => {
    const hits = await app.knowledge.search('试点', { k: 5, filter: { tags: ['医药港产业社区'] } });
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) expect(hit.chunk.tags).toContain('医药港产业社区');
  });
});
