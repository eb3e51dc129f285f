import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import { loadDirectory, parseDocument } from '../../src/knowledge/loaders/index.ts';
import { temporaryDirectory } from '../helpers.ts';

const fixtures = path.resolve('test/fixtures');
const load = async (name: string) => parseDocument(name, await readFile(path.join(fixtures, 'loaders', name)));

describe('loaders', () => {
  it('reads Markdown front matter into document metadata', async () => {
    const document = await load('centres.md');
    expect(document).toMatchObject({
      format: 'md',
      title: '邻里中心测试文档',
      issuer: '测试发文单位',
      origin: '测试来源',
      tags: ['医药港', '住房'],
      docNumber: '钱社工〔2026〕1号',
      effective: '2026-01-01',
      expires: '2027-12-31',
    });
    expect(document.text).toContain('## 房源');
    expect(document.text).not.toContain('issuer:');
    expect(document.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads plain text, titled by its file name', async () => {
    const document = await load('notes.txt');
    expect(document.title).toBe('notes');
    expect(document.text).toContain('党群服务中心');
  });

  it('turns HTML headings into heading lines and leaves out scripts, styles and navigation', async () => {
    const document = await load('page.html');
    expect(document.title).toBe('涉企服务页面');
    expect(document.text).toContain('## 服务阵地');
    expect(document.text).toContain('已打造完成1个区企业综合服务中心。');
    expect(document.text).toContain('一网通办');
    expect(document.text).not.toContain('不应被索引');
    expect(document.text).not.toContain('导航');
  });

  it('reads Word documents with their headings', async () => {
    const document = await load('pilot-stations.docx');
    expect(document.title).toBe('企业社会工作站试点说明');
    expect(document.text).toContain('## 试点社区');
    expect(document.text).toContain('钱塘芯谷产业社区');
  });

  it('loads the PDF library only to read a PDF: the process\'s globals stay as they are until then', async () => {
    // pdfjs's legacy build installs core-js polyfills on the globals (JSON.parse, navigator, …) when loaded.
    await load('centres.md');
    await load('pilot-stations.docx');
    expect(Object.hasOwn(globalThis, '__core-js_shared__')).toBe(false);
  });

  it('reads the text layer of a PDF', async () => {
    const document = await load('text-layer.pdf');
    expect(document.format).toBe('pdf');
    expect(document.text).toContain('Qiantang 14108 rooms');
  });

  it('skips unreadable files by name with the reason and indexes the rest', async () => {
    const { documents, skipped } = await loadDirectory(path.join(fixtures, 'corrupt'));
    expect(documents.map((document) => document.source)).toEqual(['good.md']);
    const reasons = Object.fromEntries(skipped.map((file) => [file.source, file.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['bad-date.md', 'bad-front-matter.md', 'corrupt.docx', 'corrupt.pdf', 'empty.md', 'not-utf8.txt']);
    expect(reasons['bad-front-matter.md']).toMatch(/front matter is not valid YAML/);
    expect(reasons['bad-date.md']).toMatch(/effective must be a date written as YYYY-MM-DD/);
    expect(reasons['not-utf8.txt']).toMatch(/not valid UTF-8/);
    expect(reasons['empty.md']).toMatch(/no text could be extracted/);
    expect(reasons['corrupt.pdf']).toBeTruthy();
    expect(reasons['corrupt.docx']).toBeTruthy();
  });

  it('loads every document of the shipped knowledge base without skipping any', async () => {
    const { documents, skipped } = await loadDirectory(path.resolve('knowledge'));
    expect(skipped).toEqual([]);
    expect(documents.length).toBeGreaterThanOrEqual(8);
    for (const document of documents) {
      expect(document.title, document.source).not.toBe(path.basename(document.source, '.md'));
      expect(document.issuer, document.source).toBeTruthy();
      expect(document.origin, document.source).toBeTruthy();
    }
  });
});

describe('glossary', () => {
  it('reads named places as places and as terms, and refuses a malformed file by name', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    try {
      const file = path.join(dir, 'glossary.yaml');
      await writeFile(file, 'terms: [产业社区, 医药港]\nplaces: [医药港, 大创小镇]\nsynonyms:\n  - [宿舍, 公寓]\n');
      expect(await loadGlossary(file)).toEqual({ terms: ['产业社区', '医药港', '大创小镇'], places: ['医药港', '大创小镇'], synonyms: [['宿舍', '公寓']] });
      await writeFile(file, 'places: 医药港\n');
      await expect(loadGlossary(file)).rejects.toThrow(`${file} is invalid: places:`);
    } finally {
      await cleanup();
    }
  });
});
