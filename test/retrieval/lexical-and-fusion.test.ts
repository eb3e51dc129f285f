import { describe, expect, it } from 'vitest';
import type { Chunk } from '../../src/knowledge/document.ts';
import { chunksOverlap, dropOverlapping, matchesFilter, reciprocalRankFusion } from '../../src/retrieval/hybrid.ts';
import { buildIndex } from '../../src/retrieval/index-store.ts';
import { LexicalIndex } from '../../src/retrieval/lexical-index.ts';
import { LocalHashEmbeddings } from '../../src/retrieval/local-embedder.ts';
import { generalRarity, Tokenizer } from '../../src/retrieval/tokenizer.ts';

const tokenizer = new Tokenizer({ terms: ['蓝领公寓', '医药港'], synonyms: [['宿舍', '公寓', '房源']] });

describe('tokenizer', () => {
  it('keeps glossary terms whole and drops punctuation and stopwords', () => {
    const tokens = tokenizer.tokenize('请问医药港的蓝领公寓在哪里？');
    expect(tokens).toContain('医药港');
    expect(tokens).toContain('蓝领公寓');
    expect(tokens).not.toContain('的');
    expect(tokens).not.toContain('？');
    expect(tokens).not.toContain('请问');
  });

  it('expands a query with its synonyms at a lower weight', () => {
    const terms = tokenizer.queryTerms('宿舍多少间');
    expect(terms.get('宿舍')).toBe(1);
    expect(terms.get('房源')).toBe(0.5);
    expect(terms.get('公寓')).toBe(0.5);
  });

  it('lets a one-character synonym count only as a word of the question, not inside a name or a function word', () => {
    const glossary = { terms: ['钱塘区'], synonyms: [['钱', '基金'], ['烦', '心理'], ['厂', '企业']] };
    const district = new Tokenizer(glossary);
    expect(district.queryTerms('钱塘区有多少产业工人').has('基金')).toBe(false);
    expect(district.queryTerms('麻烦问一下宿舍在哪').has('心理')).toBe(false);
    expect(district.queryTerms('老板不给钱').get('基金')).toBe(0.5);
    expect(district.queryTerms('心里很烦').get('心理')).toBe(0.5);
    expect(district.queryTerms('上班时间在厂里能找谁').get('企业')).toBe(0.5);
  });

  it('keeps whole the words a one-character synonym is part of', () => {
    const district = new Tokenizer({ terms: [], synonyms: [['房', '房间']] });
    // Forced into the dictionary, 房 had cut 房型 and 健身房 into characters.
    expect(district.tokenize('蓝领公寓有哪些房型')).toContain('房型');
    expect(district.tokenize('有健身房吗')).toContain('健身房');
    expect(district.queryTerms('还有房吗').get('房间')).toBe(0.5);
  });

  it('names the places a text names, and counts a synonym inside a place name only where the name is the synonym', () => {
    const district = new Tokenizer({ terms: [], places: ['医药港', '芯谷', '钱塘芯谷', '临江', '临江街道'], synonyms: [['医药', '生物医药'], ['芯谷', '钱塘芯谷']] });
    expect(district.placesIn('临江街道高新社区在哪')).toEqual(['临江', '临江街道']);
    expect(district.placesIn('宿舍多少钱')).toEqual([]);
    // 医药港 is not about medicine, and a medicine question still is.
    expect(district.queryTerms('医药港在哪个街道').has('生物医药')).toBe(false);
    expect(district.queryTerms('医药企业找谁').get('生物医药')).toBe(0.5);
    // 芯谷 is also a place inside 钱塘芯谷: either name reaches the other.
    expect(district.queryTerms('钱塘芯谷在哪').has('芯谷')).toBe(true);
    expect(district.queryTerms('芯谷在哪').get('钱塘芯谷')).toBe(0.5);
  });

  it('spells a longer glossary term typed with a wrong character of the right sound as the term', () => {
    const district = new Tokenizer({ terms: ['邻里中心', '社企共建基金', '建制型', '下沙'], synonyms: [] });
    expect(district.respell('邻里中新有几个')).toBe('邻里中心有几个');
    expect(district.respell('社企共建基今怎么申请，邻里中心呢')).toBe('社企共建基金怎么申请，邻里中心呢');
    // Already right, or a different word that sounds alike (减脂型: no character of 建制型), or a short term: as typed.
    expect(district.respell('邻里中心有几个')).toBe('邻里中心有几个');
    expect(district.respell('减脂型的餐')).toBe('减脂型的餐');
    expect(district.respell('夏沙在哪')).toBe('夏沙在哪');
  });

  it('reads content words whole, with their part of speech, without pronouns or particles', () => {
    expect(tokenizer.contentWords('宿舍晚上有人吗').map(({ word }) => word)).toEqual(['宿舍', '晚上']);
    expect(tokenizer.contentWords('邻里中心有停车位吗').at(-1)).toEqual({ word: '停车位', tag: 'n' });
  });

  it('knows how rare a word is in general Chinese: everyday words for an aspect below things', () => {
    for (const aspect of ['内容', '特点', '对象']) expect(generalRarity(aspect), aspect).toBeLessThan(10);
    for (const thing of ['证书', '宠物', '押金', '停车位']) expect(generalRarity(thing), thing).toBeGreaterThan(10);
    expect(generalRarity('宠物')).toBeCloseTo(12.6, 1);
    expect(generalRarity('无此词语哦')).toBe(Infinity);
  });

  it('blanks the glossary terms out of a text, the longest where two begin at one place, symbols taken literally', () => {
    const district = new Tokenizer({ terms: ['医药港', '医药港产业社区', 'c++培训', '8小时外'], synonyms: [] });
    expect(district.withoutTerms('医药港产业社区和医药港有c++培训吗，8小时外也行')).toBe(' 和 有 吗， 也行');
    expect(district.withoutTerms('cc培训')).toBe('cc培训');
    expect(new Tokenizer({ terms: [], synonyms: [] }).withoutTerms('医药港')).toBe('医药港');
  });

  it('knows the glossary word a shorter name stands for: its characters in order, at most two left out', () => {
    const district = new Tokenizer({ terms: ['功能型', '工业邻里中心'], synonyms: [['功能型', '功能型产业社区']] });
    expect(district.termsShortenedTo('功能型社区')).toEqual(['功能型产业社区']);
    expect(district.termsShortenedTo('邻里中心')).toEqual(['工业邻里中心']);
    // Three left out is another name; out of order, another thing.
    expect(district.termsShortenedTo('功能社区')).toEqual([]);
    expect(district.termsShortenedTo('社区功能型')).toEqual([]);
  });
});

describe('BM25', () => {
  const texts = ['邻里中心可提供14108间房源。', '医药港产业社区是功能型产业社区。', '党群服务中心设在邻里中心内。'];
  const index = LexicalIndex.build(texts, tokenizer);

  it('ranks the document with the rarer matching term first', () => {
    const hits = index.search(tokenizer.queryTerms('房源有多少'), 3);
    expect(hits[0]!.index).toBe(0);
    expect(hits.map((hit) => hit.index)).not.toContain(1);
  });

  it('finds a document through a synonym only', () => {
    const hits = index.search(tokenizer.queryTerms('宿舍'), 3);
    expect(hits[0]?.index).toBe(0);
  });

  it('counts the share of a question each document contains, by idf-weighted terms', () => {
    // 党群 and 服务中心 are rarer than 中心, which the first text has too.
    const [first, second, third] = index.coverage(tokenizer.queryTerms('党群服务中心在哪'), [0, 1, 2]);
    expect(third).toBe(1);
    expect(second).toBe(0);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(0.25);
  });

  it('survives JSON and honours a filter', () => {
    const restored = LexicalIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())));
    const query = tokenizer.queryTerms('邻里中心');
    expect(restored.search(query, 3)).toEqual(index.search(query, 3));
    expect(restored.search(query, 3, (i) => i !== 0).map((hit) => hit.index)).toEqual([2]);
    expect(() => LexicalIndex.fromJSON({ version: 2 })).toThrow(/not a version 1 BM25 index/);
  });
});

describe('local embedder', () => {
  const embedder = new LocalHashEmbeddings({ dimensions: 2048 });
  const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

  it('is deterministic, L2-normalised and of the configured dimension', async () => {
    const [a, b] = await embedder.embedDocuments(['工业邻里中心', '工业邻里中心']);
    expect(a).toEqual(b);
    expect(a).toHaveLength(2048);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 6);
  });

  it('scores a typo closer to the right text than to an unrelated one', async () => {
    const query = await embedder.embedQuery('邻里中兴的房源');
    const right = await embedder.embedQuery('工业邻里中心可提供14108间房源');
    const wrong = await embedder.embedQuery('社企共建基金运行管理办法');
    expect(cosine(query, right)).toBeGreaterThan(cosine(query, wrong) + 0.2);
  });

  it('gives empty or punctuation-only text a valid unit vector', async () => {
    const vector = await embedder.embedQuery('？！');
    expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
  });
});

describe('fusion', () => {
  const chunk = (source: string, start: number, end: number, tags: string[] = []): Chunk => ({
    id: `${source}#${start}`, ordinal: start, source, title: source, section: '', text: '', tags, sentenceStart: start, sentenceEnd: end,
  });

  it('adds weighted reciprocal ranks across lists', () => {
    const fused = reciprocalRankFusion([{ weight: 1, indices: [1, 2] }, { weight: 0.5, indices: [2, 3] }], 60);
    expect(fused.map((hit) => hit.index)).toEqual([2, 1, 3]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 0.5 / 61, 10);
  });

  it('drops a lower-ranked chunk that overlaps a kept one of the same document', () => {
    const ranked = [chunk('a', 0, 2), chunk('a', 2, 4), chunk('b', 0, 2), chunk('a', 5, 6)].map((c) => ({ chunk: c }));
    expect(chunksOverlap(ranked[0]!.chunk, ranked[1]!.chunk)).toBe(true);
    expect(dropOverlapping(ranked).map((hit) => hit.chunk.id)).toEqual(['a#0', 'b#0', 'a#5']);
  });

  it('filters by source and tag', () => {
    expect(matchesFilter(chunk('a', 0, 0, ['医药港']), { tags: ['医药港'] })).toBe(true);
    expect(matchesFilter(chunk('a', 0, 0, ['大创小镇']), { tags: ['医药港'] })).toBe(false);
    expect(matchesFilter(chunk('a', 0, 0), { sources: ['b'] })).toBe(false);
    expect(matchesFilter(chunk('a', 0, 0), undefined)).toBe(true);
  });
});

describe('coverage re-ranking', () => {
  it('ranks a passage with all of the question above one that repeats part of it, on both sides', async () => {
    // Plain BM25 (5.98 against 5.04) and cosine both put the notice that says 心理健康 three times
    // first; it lacks 服务, a quarter of the question's weight, and drops below the answering notice.
    const notices = ['心理健康心理健康心理健康讲座。', '开放日提供心理健康关怀等服务。', '服务窗口值班。', ...Array.from({ length: 7 }, (_, i) => `第${i}期停车安排。`)];
    const embeddings = new LocalHashEmbeddings({ dimensions: 512 });
    const documents = notices.map((text, i) => ({ source: `notice-${i}.md`, format: 'md' as const, title: '通知', tags: [], text, contentHash: `h${i}` }));
    const context = { indexDir: '/nonexistent', embeddings, tokenizer, glossaryHash: 'g', ef: 64, fusion: { rrfK: 60, lexicalWeight: 1, vectorWeight: 0.5 } };
    const { index } = await buildIndex({ ...context, documents, chunking: { size: 200, overlap: 40 }, persist: false });
    const question = '有心理健康服务吗';
    expect(index.lexical.search(tokenizer.queryTerms(question), 1)[0]!.index).toBe(0);
    expect(index.vectors.search(await embeddings.embedQuery(question), 1)[0]!.index).toBe(0);
    for (const mode of ['lexical', 'vector', 'hybrid'] as const) {
      const hits = await index.search(question, { k: 2, mode });
      expect(hits.map((hit) => hit.chunk.source), mode).toEqual(['notice-1.md', 'notice-0.md']);
    }
  });
});
