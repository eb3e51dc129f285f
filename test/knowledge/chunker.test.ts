import { describe, expect, it } from 'vitest';
import { chunkDocument, splitSentences } from '../../src/knowledge/chunker.ts';
import type { KnowledgeDocument } from '../../src/knowledge/document.ts';

function document(text: string, title = '测试文档'): KnowledgeDocument {
  return { source: 'test.md', format: 'md', title, tags: ['医药港'], text, contentHash: 'x' };
}

describe('splitSentences', () => {
  it('splits at 。！？； and keeps closing quotes with their sentence', () => {
    expect(splitSentences('第一句。第二句！第三句？第四句；他说"好。"最后')).toEqual([
      '第一句。',
      '第二句！',
      '第三句？',
      '第四句；',
      '他说"好。"',
      '最后',
    ]);
  });

  it('gives a straight quote after the end mark to the next sentence when no quotation is open', () => {
    expect(splitSentences('手册制定了"一图三清单"：找准落脚点。"三清单"是三张清单。他说"好。"最后')).toEqual([
      '手册制定了"一图三清单"：找准落脚点。',
      '"三清单"是三张清单。',
      '他说"好。"',
      '最后',
    ]);
  });

  it('treats a line end as a sentence end and drops empty lines', () => {
    expect(splitSentences('列表项一\n\n列表项二\n')).toEqual(['列表项一', '列表项二']);
  });
});

describe('chunkDocument', () => {
  it('keeps the heading path below the document title as the section', () => {
    const chunks = chunkDocument(document('# 测试文档\n前言。\n## 房源\n可提供房源。\n### 申请\n如何申请。'), { size: 100, overlap: 0 });
    expect(chunks.map((chunk) => [chunk.section, chunk.text])).toEqual([
      ['', '前言。'],
      ['房源', '可提供房源。'],
      ['房源 / 申请', '如何申请。'],
    ]);
    expect(chunks[1]).toMatchObject({ id: 'test.md#1', title: '测试文档', tags: ['医药港'], source: 'test.md' });
  });

  it('never cuts a sentence that fits, and packs sentences up to the size', () => {
    const sentence = '这是一个十个字的句子。'; // 11 characters
    const chunks = chunkDocument(document(sentence.repeat(5)), { size: 25, overlap: 0 });
    expect(chunks.map((chunk) => chunk.text)).toEqual([sentence.repeat(2), sentence.repeat(2), sentence]);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(25);
  });

  it('repeats whole sentences of the previous chunk as overlap', () => {
    const chunks = chunkDocument(document('甲甲甲甲。乙乙乙乙。丙丙丙丙。丁丁丁丁。'), { size: 12, overlap: 6 });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['甲甲甲甲。乙乙乙乙。', '乙乙乙乙。丙丙丙丙。', '丙丙丙丙。丁丁丁丁。']);
    expect(chunks[1]!.sentenceStart).toBe(chunks[0]!.sentenceEnd);
  });

  it('cuts a sentence only when it alone exceeds the size, preferring a comma', () => {
    const long = `${'很长的内容'.repeat(4)}，${'后半部分'.repeat(4)}。`;
    const chunks = chunkDocument(document(long), { size: 24, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.text).toBe(`${'很长的内容'.repeat(4)}，`);
    for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(24);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(long);
  });

  it('hard-cuts a long sentence with no comma at the size', () => {
    const chunks = chunkDocument(document('字'.repeat(50)), { size: 20, overlap: 5 });
    expect(chunks.map((chunk) => chunk.text.length)).toEqual([20, 20, 10]);
  });

  it('does not carry a chunk across a heading, and yields nothing for an empty body', () => {
    const chunks = chunkDocument(document('## 一\n甲。\n## 二\n乙。'), { size: 100, overlap: 50 });
    expect(chunks.map((chunk) => chunk.text)).toEqual(['甲。', '乙。']);
    expect(chunkDocument(document('# 测试文档\n'), { size: 100, overlap: 10 })).toEqual([]);
  });

  it('strips list markers and emphasis, and joins Latin sentences with a space', () => {
    const chunks = chunkDocument(document('- **一网通办**\n- 专员服务\nRoom 1.\nRoom 2.'), { size: 100, overlap: 0 });
    expect(chunks[0]!.text).toBe('一网通办专员服务Room 1. Room 2.');
  });
});
