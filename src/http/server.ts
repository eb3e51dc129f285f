import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { AppServices } from '../app.ts';
import { AppError } from '../errors.ts';

/** The HTTP surface. Later issues add the API and pages; every route shares the JSON error shape. */
export function createHttpApp(app: AppServices, options: { routers?: Router[] } = {}): Express {
  const server = express();
  server.disable('x-powered-by');
  // Channel callbacks (WeCom) bring their own body parsing and verification.
  for (const router of options.routers ?? []) server.use(router);

  server.get('/healthz', (_req, res) => {
    const index = app.knowledge.index;
    const healthy = index !== undefined;
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'ok' : 'starting',
      index: index
        ? { loaded: true, chunks: index.chunks.length, documents: Object.keys(index.manifest.sources).length, builtAt: index.manifest.builtAt, contentHash: index.manifest.contentHash, embedder: index.manifest.embedder.id }
        : { loaded: false },
    });
  });

  server.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: '没有这个地址。' } });
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    app.logger.error({ err: error }, 'request failed');
    const known = error instanceof AppError;
    res.status(500).json({ error: { code: known ? error.code : 'internal_error', message: '服务暂时出了点问题，请稍后再试。' } });
  };
  server.use(onError);
  return server;
}
