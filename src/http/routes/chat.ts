import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import rateLimit, { ipKeyGenerator } from 'express-rate-limit';
import { z } from 'zod';
import type { AppServices } from '../../app.ts';
import { publicResult } from '../../assistant/assistant.ts';
import type { AnswerEvent } from '../../assistant/types.ts';
import { LIVE_STATUSES } from '../../handoff/ticket.ts';
import { constantTimeEqual, readCookie } from '../auth.ts';
import { ChatOwners } from '../chat-owners.ts';
import { SharedRateStore } from '../rate-store.ts';
import { HttpError, route, validate } from '../errors.ts';
import type { Metrics } from '../metrics.ts';

export const VISITOR_COOKIE = 'rz_visitor';

const chatBody = z.object({
  user: z.string().trim().min(1).max(64),
  text: z.string().trim().min(1).max(2000),
  conversation: z.string().trim().min(1).max(64).optional(),
  /** How staff see the person on a ticket ("人事 张洁"); the user id when not given. */
  name: z.string().trim().min(1).max(32).optional(),
});
const feedbackBody = z.object({ messageId: z.string().min(1).max(100), user: z.string().min(1).max(64), rating: z.enum(['up', 'down']), comment: z.string().max(500).optional() });

/**
 * Visitors of the chat page get a signed, HttpOnly, SameSite=Strict cookie: it lets the page chat
 * when API keys are required, and cannot be sent by another site.
 */
export class Visitors {
  private readonly secret: Buffer;
  constructor(secret: string) {
    this.secret = Buffer.from(secret);
  }
  issue(): string {
    const id = randomBytes(12).toString('hex');
    return `${id}.${this.sign(id)}`;
  }
  verify(cookie: string | undefined): string | undefined {
    const [id, signature] = (cookie ?? '').split('.');
    if (!id || !signature) return undefined;
    return constantTimeEqual(this.sign(id), signature) ? id : undefined;
  }
  private sign(id: string): string {
    return createHmac('sha256', this.secret).update(id).digest('hex').slice(0, 32);
  }
}

export function chatRoutes(app: AppServices, visitors: Visitors, metrics: Metrics): Router {
  const router = express.Router();
  const keys = app.config.web.chatApiKeys;

  const owners = new ChatOwners(app.sql, app.clock);

  /**
   * Who is calling: an enterprise system by its key's name, the chat page by its visitor cookie, or,
   * when no keys are set, anyone at all ('open').
   */
  const callerOf = (req: Request): string => {
    const given = req.get('x-api-key') ?? req.get('authorization')?.replace(/^Bearer\s+/i, '');
    const system = given ? keys.find((entry) => constantTimeEqual(entry.key, given)) : undefined;
    if (system) return `key:${system.name}`;
    const visitor = visitors.verify(readCookie(req, VISITOR_COOKIE));
    if (visitor) return `visitor:${visitor}`;
    if (!keys.length) return 'open';
    throw new HttpError(401, 'unauthorized', '缺少有效的 API 密钥。');
  };

  /** A web user and a conversation are their first caller's: no one else writes as them or reads theirs. */
  const own = async (caller: string, { user, conversation }: { user?: string | undefined; conversation?: string | undefined }) => {
    const names = [...(user ? [`user:${user}`] : []), ...(conversation ? [`conversation:${conversation}`] : [])];
    if (!(await owners.claim(names, caller))) throw new HttpError(403, 'not_yours', '这个用户或会话属于其他接入方，不能代为发送或查看。');
  };

  const perUser = rateLimit({
    windowMs: 60_000,
    limit: app.config.web.chatPerUserPerMinute,
    store: new SharedRateStore(app.store, app.clock, 'chat-user'),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => (typeof req.body?.user === 'string' ? `user:${req.body.user}` : ipKeyGenerator(req.ip ?? '')),
    handler: (_req, res) => void res.status(429).json({ error: { code: 'rate_limited', message: '发送太频繁了，请稍等一分钟再试。' } }),
  });

  router.post(
    '/api/chat',
    express.json({ limit: '16kb' }),
    (req, res, next) => {
      try {
        res.locals.caller = callerOf(req);
        next();
      } catch (error) {
        next(error);
      }
    },
    perUser,
    route(async (req: Request, res: Response) => {
      const body = validate(chatBody, req.body);
      const conversation = body.conversation ?? `web:${body.user}`;
      await own(res.locals.caller as string, { user: body.user, conversation });
      const messageId = randomUUID();
      const message = {
        id: messageId,
        channel: 'web',
        at: app.clock.now(),
        conversation: { id: conversation, kind: 'direct' as const },
        sender: { id: body.user, name: body.name ?? body.user },
        text: body.text,
        mentionsBot: true,
      };
      const started = performance.now();
      const stream = (req.get('accept') ?? '').includes('text/event-stream');
      if (!stream) {
        const result = await app.assistant.handle(message);
        metrics.answerSeconds.observe({ route: result.route }, (performance.now() - started) / 1000);
        return void res.json({ ...publicResult(result), messageId, conversation: message.conversation.id });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      try {
        await app.assistant.handle(message, (event: AnswerEvent) => {
          if (event.type === 'text-delta') send('text-delta', { text: event.text });
          else if (event.type === 'citations') send('citations', { citations: event.citations });
          else {
            metrics.answerSeconds.observe({ route: event.result.route }, (performance.now() - started) / 1000);
            send('done', { ...publicResult(event.result), messageId, conversation: message.conversation.id });
          }
        });
      } catch (error) {
        app.logger.error({ err: error }, 'chat stream failed');
        send('error', { code: 'internal_error', message: '服务暂时出了点问题，请稍后再试。' });
      }
      res.end();
    }),
  );

  /** What reached a web conversation since `after`: worker replies, ticket news; and its ticket now. */
  router.get(
    '/api/chat/:conversation/updates',
    route(async (req, res) => {
      const caller = callerOf(req);
      const conversation = validate(z.string().min(1).max(64), req.params.conversation);
      const user = validate(chatBody.shape.user.optional(), req.query.user);
      await own(caller, { user, conversation });
      const after = Number(req.query.after ?? 0) || 0;
      const prefix = `address:${JSON.stringify({ channel: 'web', conversationId: conversation }).slice(0, -1)},`;
      const rows = await app.sql.all<{ id: number; at: string; text: string; ticketId: number | null }>(
        `SELECT id, at, text, ticket_id AS "ticketId" FROM notifications WHERE recipient LIKE ? ESCAPE '\\' AND id > ? ORDER BY id LIMIT 100`,
        [`${prefix.replace(/[\\%_]/g, '\\$&')}%`, after],
      );
      const tickets = user ? await app.tickets.list({ requester: { channel: 'web', userId: user }, limit: 5 }) : [];
      const ticket = tickets.find((candidate) => candidate.requester.conversationId === conversation);
      res.json({
        messages: rows,
        ticket: ticket ? { id: ticket.id, status: ticket.status, category: ticket.category, community: ticket.community, assignee: ticket.assignee, live: LIVE_STATUSES.includes(ticket.status) } : null,
      });
    }),
  );

  router.post(
    '/api/feedback',
    express.json({ limit: '4kb' }),
    route(async (req, res) => {
      const caller = callerOf(req);
      const body = validate(feedbackBody, req.body);
      await own(caller, { user: body.user });
      const known = await app.sql.get('SELECT 1 AS known FROM question_log WHERE message_id = ?', [body.messageId]);
      if (!known) throw new HttpError(404, 'not_found', '没有找到这条回答。');
      await app.sql.run(
        'INSERT INTO feedback (at, message_id, user_id, rating, comment) VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id, user_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, at = excluded.at',
        [app.clock.now().toISOString(), body.messageId, body.user, body.rating === 'up' ? 1 : -1, body.comment ?? null],
      );
      res.status(201).json({ ok: true });
    }),
  );

  return router;
}
