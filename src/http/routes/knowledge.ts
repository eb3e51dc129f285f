import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { AppServices } from '../../app.ts';
import { parseEvalFile, type EvalLine } from '../../eval/eval-file.ts';
import { compareRanks, evaluateRetrieval } from '../../eval/retrieval-eval.ts';
import { formatOf, parseDocument } from '../../knowledge/loaders/index.ts';
import type { Retriever } from '../../retrieval/knowledge-index.ts';
import { HttpError, route, validate } from '../errors.ts';

const sourceName = z
  .string()
  .min(1)
  .max(200)
  .refine((name) => name === path.basename(name) && !name.startsWith('.') && formatOf(name) !== undefined, '文件名须为 .md、.txt、.html、.docx 或 .pdf，且不含路径');
const testBody = z.union([z.object({ question: z.string().trim().min(1).max(500), k: z.number().int().min(1).max(20).optional() }), z.object({ eval: z.string().min(1).max(1_000_000) })]);

/** District staff: the documents, uploads evaluated before they go live, deletion, hit testing. */
export function knowledgeRoutes(app: AppServices, requireAdmin: express.RequestHandler): Router {
  const router = express.Router();
  const knowledgeDir = app.config.knowledgeDir;

  const evalLines = async (): Promise<EvalLine[]> => {
    try {
      return parseEvalFile(await readFile(app.config.web.evalFile, 'utf8'));
    } catch {
      return [];
    }
  };

  router.get('/api/knowledge', requireAdmin, route(async (_req, res) => {
    const index = app.knowledge.index ?? (await app.knowledge.load());
    res.json({
      lastIndexed: index.manifest.builtAt,
      contentHash: index.manifest.contentHash,
      chunks: index.manifest.chunkCount,
      documents: Object.entries(index.manifest.sources).map(([source, entry]) => ({ source, title: entry.title, format: entry.format, chunks: entry.chunks, indexedAt: entry.indexedAt })),
    });
  }));

  /** The passages of one document (a cited section, or all), for the chat page's citation view. */
  router.get('/api/knowledge/passages', route(async (req, res) => {
    const source = validate(z.string().min(1).max(200), req.query.source);
    const section = typeof req.query.section === 'string' ? req.query.section : undefined;
    const index = app.knowledge.index ?? (await app.knowledge.load());
    const chunks = index.chunks.filter((chunk) => chunk.source === source && (section === undefined || chunk.section === section));
    if (!chunks.length) throw new HttpError(404, 'not_found', '没有找到这段资料。');
    res.json({ title: chunks[0]!.title, section: section ?? '', issuer: chunks[0]!.issuer ?? null, text: chunks.map((chunk) => chunk.text).join('\n') });
  }));

  /**
   * Upload a document (raw body, ?filename=). The labelled questions run on the current and the new
   * index first; if any gets worse, nothing is published until the upload is repeated with ?confirm=1.
   * With Accept: text/event-stream, re-indexing reports progress.
   */
  router.post(
    '/api/knowledge',
    requireAdmin,
    express.raw({ type: () => true, limit: app.config.web.uploadLimitBytes }),
    route(async (req: Request, res: Response) => {
      const filename = validate(sourceName, req.query.filename);
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!bytes.length) throw new HttpError(400, 'empty_upload', '上传的文件是空的。');
      let document;
      try {
        document = await parseDocument(filename, bytes);
      } catch (error) {
        throw new HttpError(400, 'unreadable_document', `文件无法读取：${(error as Error).message}`);
      }
      const lines = await evalLines();
      const current = app.knowledge.index ?? (await app.knowledge.load());
      const candidate = await app.knowledge.candidate(document);
      const before = await evaluateRetrieval(current as Retriever, lines);
      const after = await evaluateRetrieval(candidate as Retriever, lines);
      const comparison = { before: before.scores, after: after.scores, ...compareRanks(before.ranks, after.ranks) };
      if (comparison.worse.length && req.query.confirm !== '1') {
        throw new HttpError(409, 'regression', `发布后有 ${comparison.worse.length} 个测试问题的检索会变差，请确认后再发布。`, comparison);
      }
      const stream = (req.get('accept') ?? '').includes('text/event-stream');
      if (stream) res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      // Written beside the target and renamed, so a half-written file is never indexed.
      const target = path.join(knowledgeDir, filename);
      const temporary = path.join(knowledgeDir, `.${filename}.${process.pid}.upload`);
      await writeFile(temporary, bytes);
      await rename(temporary, target);
      const report = await app.knowledge.ingest({ onProgress: (progress) => stream && send('progress', progress) });
      if (stream) {
        send('done', { report, comparison });
        return void res.end();
      }
      res.status(201).json({ report, comparison });
    }),
  );

  /** Re-indexes the knowledge directory (files changed on disk), with progress events when asked. */
  router.post('/api/knowledge/reindex', requireAdmin, route(async (req, res) => {
    const stream = (req.get('accept') ?? '').includes('text/event-stream');
    if (!stream) return void res.json({ report: await app.knowledge.ingest() });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const report = await app.knowledge.ingest({ onProgress: (progress) => send('progress', progress) });
    send('done', { report });
    res.end();
  }));

  router.delete('/api/knowledge/:source', requireAdmin, route(async (req, res) => {
    const source = validate(sourceName, req.params.source);
    const index = app.knowledge.index ?? (await app.knowledge.load());
    if (!index.manifest.sources[source]) throw new HttpError(404, 'not_found', `知识库里没有「${source}」。`);
    await rm(path.join(knowledgeDir, source), { force: true });
    res.json({ report: await app.knowledge.ingest() });
  }));

  /** Hit testing (召回测试): one question, or a whole eval file's text. */
  router.post('/api/knowledge/test', requireAdmin, express.json({ limit: '1mb' }), route(async (req, res) => {
    const body = validate(testBody, req.body);
    if ('question' in body) {
      const hits = await app.knowledge.search(body.question, { k: body.k ?? 5 });
      return void res.json({ hits: hits.map((hit) => ({ rank: hit.rank, score: hit.score, title: hit.chunk.title, source: hit.chunk.source, section: hit.chunk.section, text: hit.chunk.text })) });
    }
    let lines: EvalLine[];
    try {
      lines = parseEvalFile(body.eval);
    } catch (error) {
      throw new HttpError(400, 'invalid_eval_file', `测试文件格式不对：${(error as Error).message}`);
    }
    const result = await evaluateRetrieval(app.knowledge, lines);
    res.json({ retrieval: result.scores, misses: result.misses });
  }));

  return router;
}
