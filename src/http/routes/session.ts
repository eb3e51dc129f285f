import express, { type Router } from 'express';
import rateLimit from 'express-rate-limit';
import { z } from 'zod';
import type { AppServices } from '../../app.ts';
import { readCookie, SESSION_COOKIE, setSessionCookie, type Accounts } from '../auth.ts';
import { SharedRateStore } from '../rate-store.ts';
import { HttpError, route, validate } from '../errors.ts';

const workerLogin = z.object({ worker: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) });
const adminLogin = z.object({ token: z.string().min(1).max(500) });

function describeWorker(app: AppServices, id: string) {
  const roster = app.roster.roster;
  const worker = roster.worker(id)!;
  return { id: worker.id, name: worker.name, community: worker.community, communityName: roster.community(worker.community)?.name ?? worker.community, supervisor: roster.isSupervisor(worker.id) };
}

/** Signing in and out; the CSRF token travels in the response, never in a cookie. */
export function sessionRoutes(app: AppServices, accounts: Accounts, hasToken: (given: string) => boolean): Router {
  const router = express.Router();
  // Password guessing is slowed to a crawl per address.
  const attempts = rateLimit({ windowMs: 15 * 60_000, limit: 20, store: new SharedRateStore(app.store, app.clock, 'login'), standardHeaders: 'draft-7', legacyHeaders: false, handler: (_req, res) => void res.status(429).json({ error: { code: 'rate_limited', message: '登录尝试太多，请 15 分钟后再试。' } }) });

  router.post('/api/session/worker', attempts, express.json({ limit: '4kb' }), route(async (req, res) => {
    const body = validate(workerLogin, req.body);
    const worker = app.roster.roster.findWorker(body.worker);
    if (!worker || !(await accounts.checkPassword(worker.id, body.password))) throw new HttpError(401, 'bad_credentials', '工号或密码不对。');
    const session = await accounts.createSession(worker.id, 'worker');
    setSessionCookie(res, session, app.config.web.cookieSecure);
    res.json({ user: describeWorker(app, worker.id), role: 'worker', csrf: session.csrf });
  }));

  router.post('/api/session/admin', attempts, express.json({ limit: '4kb' }), route(async (req, res) => {
    const body = validate(adminLogin, req.body);
    if (!hasToken(body.token)) throw new HttpError(401, 'bad_credentials', '管理员令牌不对。');
    const session = await accounts.createSession('admin', 'admin');
    setSessionCookie(res, session, app.config.web.cookieSecure);
    res.json({ user: { id: 'admin', name: '区级管理员' }, role: 'admin', csrf: session.csrf });
  }));

  /** The signed-in person and a CSRF token, for a page that was reloaded. */
  router.get('/api/session', route(async (req, res) => {
    const session = await accounts.session(readCookie(req, SESSION_COOKIE));
    if (!session) return void res.status(401).json({ error: { code: 'unauthorized', message: '请先登录。' } });
    const worker = app.roster.roster.worker(session.userId);
    res.json({
      user: worker ? describeWorker(app, worker.id) : { id: session.userId, name: '区级管理员' },
      role: session.role,
      csrf: session.csrf,
    });
  }));

  router.delete('/api/session', route(async (req, res) => {
    const id = readCookie(req, SESSION_COOKIE);
    if (id) await accounts.endSession(id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  }));
  return router;
}
