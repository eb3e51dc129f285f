import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Router } from 'express';
import rateLimit from 'express-rate-limit';
import helmet from 'helmet';
import type { AppServices } from '../app.ts';
import { qrSvg } from '../channels/wechaty/qr-svg.ts';
import type { WechatyChannel } from '../channels/wechaty/wechaty-channel.ts';
import type { LeaseKeeper } from '../storage/lease.ts';
import { SharedRateStore } from './rate-store.ts';
import { ArrivalOrder, inArrivalOrder } from './arrival-order.ts';
import { Accounts, constantTimeEqual, requireCaller } from './auth.ts';
import { errorHandler, HttpError, route } from './errors.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { chatRoutes, VISITOR_COOKIE, Visitors } from './routes/chat.ts';
import { insightsRoutes } from './routes/insights.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { sessionRoutes } from './routes/session.ts';
import { ticketRoutes } from './routes/tickets.ts';

const WEB_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web');

function sameToken(given: string, token: string | undefined): boolean {
  return token !== undefined && constantTimeEqual(given, token);
}

/** True when the request carries ADMIN_TOKEN (Bearer header or ?token=), compared in constant time. */
export function hasAdminToken(req: Request, token: string | undefined): boolean {
  const given = req.get('authorization')?.replace(/^Bearer\s+/i, '') ?? (typeof req.query.token === 'string' ? req.query.token : '');
  return sameToken(given, token);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/assets/app.css"></head><body class="plain">${body}</body></html>`;

export type HttpOptions = { routers?: Router[]; wechaty?: WechatyChannel | undefined; wechatyLease?: LeaseKeeper | undefined };

/** The HTTP surface: the API, the three pages, channel callbacks, health and metrics. */
export function createHttpApp(app: AppServices, options: HttpOptions = {}): Express & { metrics: Metrics } {
  const server = express() as Express & { metrics: Metrics };
  const arrivals = new ArrivalOrder();
  const metrics = createMetrics(app, arrivals);
  server.metrics = metrics;
  const accounts = new Accounts(app.sql, app.clock);
  const visitors = new Visitors(app.visitorSecret);
  server.disable('x-powered-by');
  server.set('trust proxy', 'loopback');
  server.use(metrics.middleware);
  // Under load, first come, first served (arrival-order.ts).
  server.use(inArrivalOrder(arrivals));
  server.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          // Only behind HTTPS: on a plain-HTTP intranet it would break every asset.
          upgradeInsecureRequests: app.config.web.cookieSecure ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  // Channel callbacks bring their own body parsing and verification, and are not rate limited by IP
  // (WeCom calls from a few addresses).
  for (const router of options.routers ?? []) server.use(router);
  server.use(
    rateLimit({
      windowMs: 60_000,
      limit: app.config.web.perIpPerMinute,
      store: new SharedRateStore(app.store, app.clock, 'ip'),
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      skip: (req) => req.path === '/healthz' || req.path === '/metrics',
      handler: (_req, res) => void res.status(429).json({ error: { code: 'rate_limited', message: '请求太频繁了，请稍后再试。' } }),
    }),
  );

  server.get('/healthz', async (_req, res) => {
    const index = app.knowledge.index;
    let database = false;
    try {
      database = (await app.sql.get<{ ok: number }>('SELECT 1 AS ok'))?.ok === 1;
    } catch {
      database = false;
    }
    const healthy = index !== undefined && database;
    res.status(healthy ? 200 : 503).json({
      status: healthy ? 'ok' : 'unavailable',
      database,
      index: index
        ? { loaded: true, chunks: index.chunks.length, documents: Object.keys(index.manifest.sources).length, builtAt: index.manifest.builtAt, contentHash: index.manifest.contentHash, embedder: index.manifest.embedder.id }
        : { loaded: false },
    });
  });

  server.get('/metrics', async (req, res) => {
    if (app.config.adminToken && !hasAdminToken(req, app.config.adminToken)) return void res.status(401).json({ error: { code: 'unauthorized', message: '需要管理员令牌。' } });
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const requireStaff = requireCaller(accounts, app.config.adminToken, hasAdminToken, ['worker', 'admin']);
  const requireAdmin = requireCaller(accounts, app.config.adminToken, hasAdminToken, ['admin']);
  server.use(sessionRoutes(app, accounts, (given) => sameToken(given, app.config.adminToken)));
  server.use(chatRoutes(app, visitors, metrics));
  server.use(ticketRoutes(app, requireStaff));
  server.use(knowledgeRoutes(app, requireAdmin));
  server.use(insightsRoutes(app, requireAdmin));

  // The WeChat login QR code for district staff (ADMIN_TOKEN); the terminal shows it too.
  server.get('/admin/wechaty-login', route(async (req, res) => {
    if (!hasAdminToken(req, app.config.adminToken)) return void res.status(401).json({ error: { code: 'unauthorized', message: '需要管理员令牌。' } });
    const wechaty = options.wechaty;
    res.set('cache-control', 'no-store');
    if (!wechaty) return void res.send(page('微信登录', '<main class="card"><h1>微信群接入未启用</h1><p>设置 WECHATY_PUPPET 后重启即可启用。</p></main>'));
    const lease = options.wechatyLease;
    if (lease && !lease.held) {
      // Several instances: the login lives on one of them.
      const holder = await lease.holder();
      const where = holder ? `实例 ${escapeHtml(holder)} ` : '另一台实例（正在接管）';
      return void res.send(page('微信登录', `<main class="card"><h1>微信登录不在本实例</h1><p>微信登录由${where}负责。请直接访问该实例的本页面查看登录状态或扫码。</p></main>`));
    }
    if (wechaty.loggedIn) return void res.send(page('微信登录', '<main class="card"><h1>已登录</h1><p>小融已在微信群中上线。</p></main>'));
    if (!wechaty.qrCode) return void res.send(page('微信登录', '<main class="card"><h1>正在连接…</h1><p>稍后刷新本页查看登录二维码。</p></main>'));
    res.send(page('微信登录', `<main class="card"><h1>请用小融的微信扫码登录</h1>${qrSvg(wechaty.qrCode)}<p>扫码后刷新本页确认登录状态。</p></main>`));
  }));

  // The pages: static files with a strict CSP (no inline script).
  server.get('/', (req, res) => {
    if (!visitors.verify(req.headers.cookie?.match(new RegExp(`${VISITOR_COOKIE}=([^;]+)`))?.[1])) {
      res.cookie(VISITOR_COOKIE, visitors.issue(), { httpOnly: true, sameSite: 'strict', secure: app.config.web.cookieSecure, path: '/', maxAge: 365 * 24 * 3600_000 });
    }
    res.sendFile(path.join(WEB_DIR, 'index.html'));
  });
  server.get('/console', (_req, res) => res.sendFile(path.join(WEB_DIR, 'console.html')));
  server.get('/admin', (_req, res) => res.sendFile(path.join(WEB_DIR, 'admin.html')));
  server.get('/favicon.ico', (_req, res) => res.redirect(301, '/assets/icon.svg'));
  server.use('/assets', express.static(WEB_DIR, { index: false, maxAge: '1h' }));

  server.use((_req, _res, next) => next(new HttpError(404, 'not_found', '没有这个地址。')));
  server.use(errorHandler(app.logger));
  return server;
}
