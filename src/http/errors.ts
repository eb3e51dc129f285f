import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import type { Logger } from '../logger.ts';

/** An error with an HTTP status and a message a person can read (in Chinese). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const FIELD_NAMES: Record<string, string> = { user: '用户', text: '内容', conversation: '会话', question: '问题', worker: '工作人员', status: '状态' };

/** Parses with zod, or answers 400 naming the fields that are wrong. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '请求')))];
  const names = fields.map((field) => FIELD_NAMES[field] ?? field).join('、');
  throw new HttpError(400, 'invalid_request', `请求内容不正确：${names}缺失或格式不对。`, parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
}

/** Async route handlers: errors go to the error middleware. */
export const route =
  (handler: (req: Request, res: Response, next: NextFunction) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction) =>
    void handler(req, res, next).catch(next);

/** Every error becomes {"error": {"code", "message"}} with a Chinese message; no stack ever leaves. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return void res.end();
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') return void res.status(413).json({ error: { code: 'payload_too_large', message: '请求内容太大了。' } });
    if (type === 'entity.parse.failed') return void res.status(400).json({ error: { code: 'malformed_json', message: '请求不是有效的 JSON。' } });
    if (error instanceof HttpError) {
      return void res.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) } });
    }
    logger.error({ err: error, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'internal_error', message: '服务暂时出了点问题，请稍后再试。' } });
  };
}
