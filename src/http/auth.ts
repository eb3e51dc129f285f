import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../clock.ts';
import type { Roster } from '../handoff/roster.ts';
import type { SqlDatabase } from '../storage/sql.ts';
import { HttpError } from './errors.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
export const SESSION_COOKIE = 'rz_session';
const SESSION_HOURS = 12;

export type Role = 'worker' | 'admin';
export type Session = { id: string; userId: string; role: Role; csrf: string; expiresAt: string };

/** scrypt$N$r$p$salt$hash, all in one string. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password.normalize('NFKC'), salt, 64, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

/** Signed-in people: roster workers with a password set by `users set-password`, and district staff. */
export class Accounts {
  constructor(
    private readonly sql: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  async setPassword(userId: string, password: string): Promise<void> {
    if (password.length < 8) throw new Error('the password must be at least 8 characters');
    await this.sql.run(
      'INSERT INTO users (id, password_hash, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at',
      [userId, await hashPassword(password), this.clock.now().toISOString()],
    );
    // A new password signs the person out everywhere.
    await this.sql.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
  }

  async checkPassword(userId: string, password: string): Promise<boolean> {
    const stored = (await this.sql.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ?', [userId]))?.password_hash;
    // Spend the same time for an unknown user, so timing does not reveal who exists.
    if (!stored) {
      await hashPassword(password);
      return false;
    }
    return verifyPassword(password, stored);
  }

  async createSession(userId: string, role: Role): Promise<Session> {
    const now = this.clock.now();
    const session: Session = {
      id: randomBytes(32).toString('hex'),
      userId,
      role,
      csrf: randomBytes(24).toString('hex'),
      expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString(),
    };
    await this.sql.run('DELETE FROM sessions WHERE expires_at < ?', [now.toISOString()]);
    await this.sql.run('INSERT INTO sessions (id, user_id, role, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [session.id, userId, role, session.csrf, now.toISOString(), session.expiresAt]);
    return session;
  }

  async session(id: string | undefined): Promise<Session | undefined> {
    if (!id || !/^[0-9a-f]{64}$/.test(id)) return undefined;
    const row = await this.sql.get<Record<string, string>>('SELECT * FROM sessions WHERE id = ? AND expires_at > ?', [id, this.clock.now().toISOString()]);
    return row ? { id: row.id!, userId: row.user_id!, role: row.role as Role, csrf: row.csrf!, expiresAt: row.expires_at! } : undefined;
  }

  async endSession(id: string): Promise<void> {
    await this.sql.run('DELETE FROM sessions WHERE id = ?', [id]);
  }
}

/** String equality in constant time (tokens, signatures), false for different lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function setSessionCookie(res: Response, session: Session, secure: boolean): void {
  res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: SESSION_HOURS * 3600_000 });
}

/** Who is asking: a session (cookie), or district staff with the admin token. */
export type Caller = { kind: 'session'; session: Session } | { kind: 'admin-token' };

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Requires a signed-in worker or admin (or the admin token). Cookie-authenticated requests that
 * change state must carry the session's CSRF token in X-CSRF-Token.
 */
export function requireCaller(accounts: Accounts, adminToken: string | undefined, hasAdminToken: (req: Request, token: string | undefined) => boolean, roles: Role[] = ['worker', 'admin']) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (roles.includes('admin') && req.get('authorization') && hasAdminToken(req, adminToken)) {
      req.caller = { kind: 'admin-token' };
      return next();
    }
    let session: Session | undefined;
    try {
      session = await accounts.session(readCookie(req, SESSION_COOKIE));
    } catch (error) {
      return next(error);
    }
    if (!session) return next(new HttpError(401, 'unauthorized', '请先登录。'));
    if (!roles.includes(session.role)) return next(new HttpError(403, 'forbidden', '你没有权限进行这个操作。'));
    if (STATE_CHANGING.has(req.method)) {
      if (!constantTimeEqual(req.get('x-csrf-token') ?? '', session.csrf)) return next(new HttpError(403, 'csrf_failed', '页面已过期，请刷新后重试。'));
    }
    req.caller = { kind: 'session', session };
    next();
  };
}

/** The worker behind a caller, or undefined for an admin. */
export function callerWorker(caller: Caller | undefined, roster: Roster) {
  return caller?.kind === 'session' && caller.session.role === 'worker' ? roster.worker(caller.session.userId) : undefined;
}
