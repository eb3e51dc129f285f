import type { Clock } from '../../clock.ts';
import { UpstreamError } from '../../errors.ts';

// errcodes meaning "this access_token is no good": invalid, expired, not the latest.
const TOKEN_INVALID = new Set([40001, 40014, 42001]);
// Refresh this long before WeCom's stated expiry.
const EARLY_REFRESH_MS = 5 * 60_000;

type WeComResponse = { errcode?: number; errmsg?: string; [key: string]: unknown };

/**
 * WeCom's server API for a self-built app. The access_token is cached until shortly before it
 * expires; concurrent callers share one fetch; a call that reports the token invalid refreshes it
 * and is retried once. `baseUrl` (WECOM_API_BASE) lets tests use a local fake.
 */
export class WeComApiClient {
  private token: { value: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly options: { baseUrl: string; corpId: string; secret: string; clock: Clock; fetch?: typeof fetch; timeoutMs?: number },
  ) {}

  private async request(path: string, init?: RequestInit): Promise<WeComResponse> {
    const fetcher = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetcher(`${this.options.baseUrl.replace(/\/$/, '')}${path}`, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new UpstreamError(`WeCom API ${path.split('?')[0]} unreachable: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw new UpstreamError(`WeCom API ${path.split('?')[0]} answered HTTP ${response.status}`, { status: response.status });
    return (await response.json()) as WeComResponse;
  }

  /** A valid access_token, fetched once for all concurrent callers. */
  async accessToken(): Promise<string> {
    const now = this.options.clock.now().getTime();
    if (this.token && now < this.token.expiresAt) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const query = new URLSearchParams({ corpid: this.options.corpId, corpsecret: this.options.secret });
    const body = await this.request(`/cgi-bin/gettoken?${query}`);
    if (body.errcode || typeof body.access_token !== 'string') {
      throw new UpstreamError(`WeCom gettoken failed: ${body.errcode} ${body.errmsg ?? ''} (check WECOM_CORP_ID and WECOM_APP_SECRET)`, { retryable: false });
    }
    const lifetime = Number(body.expires_in ?? 7200) * 1000;
    this.token = { value: body.access_token, expiresAt: this.options.clock.now().getTime() + Math.max(lifetime - EARLY_REFRESH_MS, lifetime / 2) };
    return body.access_token;
  }

  /** POSTs JSON with the access_token; an invalid token is refreshed and the call retried once. */
  async post(path: string, payload: unknown): Promise<WeComResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      const body = await this.request(`${path}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      if (body.errcode && TOKEN_INVALID.has(body.errcode) && attempt === 0) {
        if (this.token?.value === token) this.token = undefined;
        continue;
      }
      if (body.errcode) throw new UpstreamError(`WeCom ${path} failed: ${body.errcode} ${body.errmsg ?? ''}`, { retryable: false });
      return body;
    }
  }

  /** An application message to one or more users (userids joined with '|'). */
  async sendText(agentId: string, userIds: string[], content: string): Promise<void> {
    await this.post('/cgi-bin/message/send', { touser: userIds.join('|'), msgtype: 'text', agentid: Number(agentId), text: { content }, safe: 0 });
  }
}
