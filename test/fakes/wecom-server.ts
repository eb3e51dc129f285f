import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WeComRequest = { method: string; path: string; query: Record<string, string>; body: any };

/**
 * A local WeCom API server: gettoken, message/send, group robot webhooks and AI bot response_urls,
 * with WeCom's JSON shapes and errcodes. Records every request; tests script errcodes per path.
 */
export class FakeWeComServer {
  readonly requests: WeComRequest[] = [];
  private server: Server | undefined;
  private tokenCounter = 0;
  private validTokens = new Set<string>();
  /** errcodes to answer, per path, before answering normally. */
  readonly scripted = new Map<string, number[]>();
  /** Delay of gettoken answers, to make concurrent callers overlap. */
  tokenDelayMs = 0;

  constructor(readonly corpId = 'wwcorp', readonly secret = 'app-secret') {}

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake WeCom server not started');
    return `http://127.0.0.1:${address.port}`;
  }

  requestsTo(path: string): WeComRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Makes every token issued so far invalid, as WeCom does when a token is refreshed elsewhere. */
  expireTokens(): void {
    this.validTokens.clear();
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.json(response, { errcode: 40016, errmsg: 'invalid json' });
    }
    const path = url.pathname;
    this.requests.push({ method: request.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), body });
    const scripted = this.scripted.get(path)?.shift();
    if (scripted) return this.json(response, { errcode: scripted, errmsg: 'scripted' });

    if (path === '/cgi-bin/gettoken') {
      if (this.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      if (url.searchParams.get('corpid') !== this.corpId || url.searchParams.get('corpsecret') !== this.secret) {
        return this.json(response, { errcode: 40001, errmsg: 'invalid credential' });
      }
      const token = `token-${++this.tokenCounter}`;
      this.validTokens.add(token);
      return this.json(response, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (path === '/cgi-bin/message/send') {
      if (!this.validTokens.has(url.searchParams.get('access_token') ?? '')) return this.json(response, { errcode: 40014, errmsg: 'invalid access_token' });
      if (!body?.touser || !body?.agentid || body?.msgtype !== 'text' || !body?.text?.content) return this.json(response, { errcode: 40008, errmsg: 'invalid message' });
      return this.json(response, { errcode: 0, errmsg: 'ok', msgid: `msg-${this.requests.length}` });
    }
    if (path.startsWith('/cgi-bin/webhook/send') || path.startsWith('/response/')) {
      if (!body?.msgtype) return this.json(response, { errcode: 40008, errmsg: 'invalid message' });
      return this.json(response, { errcode: 0, errmsg: 'ok' });
    }
    response.writeHead(404).end();
  }

  private json(response: ServerResponse, body: unknown): void {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
