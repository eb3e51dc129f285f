import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { extractiveAnswer } from '../../src/assistant/grounding.ts';
import type { Chunk } from '../../src/knowledge/document.ts';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import type { Hit } from '../../src/retrieval/knowledge-index.ts';
import { LexicalIndex } from '../../src/retrieval/lexical-index.ts';
import { Tokenizer } from '../../src/retrieval/tokenizer.ts';

describe('extractive answers', () => {
  it('read a passage once: asking again tokenizes only the question, and answers the same', async () => {
    const tokenizer = new Tokenizer(await loadGlossary(path.resolve('knowledge/glossary.yaml')));
    const text = '钱塘区已建成下沙邻里中心、新雁邻里中心。临江产业邻里中心正在建设中。合计可提供房源14108间。';
    const chunk: Chunk = { id: 'a.md#0', ordinal: 0, source: 'a.md', title: '工业邻里中心', tags: [], section: '', text, sentenceStart: 0, sentenceEnd: 2 };
    const scorer = { tokenizer, lexical: LexicalIndex.build([text], tokenizer) };
    const hits: Hit[] = [{ rank: 1, score: 1, chunk }];
    const tokenize = vi.spyOn(tokenizer, 'tokenize');

    const first = extractiveAnswer('临江的邻里中心建好了吗', hits, scorer, '2026-11-27');
    const callsFirst = tokenize.mock.calls.length;
    const second = extractiveAnswer('临江的邻里中心建好了吗', hits, scorer, '2026-11-27');

    expect(first.text).toContain('临江产业邻里中心正在建设中[1]');
    expect(second).toEqual(first);
    expect(callsFirst).toBeGreaterThan(3);
    expect(tokenize.mock.calls.length - callsFirst).toBeLessThan(callsFirst - 2);
  });
});
