import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { AppServices } from '../app.ts';
import { qrSvg } from '../channels/wechaty/qr-svg.ts';
import type { WechatyChannel } from '../channels/wechaty/wechaty-channel.ts';
import { AppError } from '../errors.ts';

/** The HTTP surface. Later issues add the API and pages; every route shares the JSON error shape. */
/** True when the request carries ADMIN_TOKEN (Bearer header or ?token=), compared in constant time. */
export function hasAdminToken(req: express.Request, token: string | undefined): boolean {
  if (!token) return false;
  const given = req.get('authorization')?.replace(/^Bearer\s+/i, '') ?? (typeof req.query.token === 'string' ? req.query.token : '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2d3d;text-align:center}h1{font-size:1.4rem}p{color:#5a6b7b}</style></head><body>${body}</body></html>`;

export function createHttpApp(app: AppServices, options: { routers?: Router[]; wechaty?: WechatyChannel | undefined } = {}): Express {
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

  // The WeChat login QR code for district staff (ADMIN_TOKEN); the terminal shows it too.
  server.get('/admin/wechaty-login', (req, res) => {
    if (!hasAdminToken(req, app.config.adminToken)) {
      res.status(401).json({ error: { code: 'unauthorized', message: '需要管理员令牌。' } });
      return;
    }
    const wechaty = options.wechaty;
    res.set('cache-control', 'no-store');
    if (!wechaty) return void res.send(page('微信登录', '<h1>微信群接入未启用</h1><p>设置 WECHATY_PUPPET 后重启即可启用。</p>'));
    if (wechaty.loggedIn) return void res.send(page('微信登录', '<h1>已登录</h1><p>小融已在微信群中上线。</p>'));
    if (!wechaty.qrCode) return void res.send(page('微信登录', '<h1>正在连接…</h1><p>稍后刷新本页查看登录二维码。</p>'));
    res.send(page('微信登录', `<h1>请用小融的微信扫码登录</h1>${qrSvg(wechaty.qrCode)}<p>扫码后刷新本页确认登录状态。</p>`));
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
