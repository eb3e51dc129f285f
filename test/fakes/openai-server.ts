import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RecordedRequest = { method: string; path: string; headers: IncomingMessage['headers']; body: any };

/** What the fake does with the next request to a route: answer normally, fail, or stall. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'dimensions'; dimensions: number }
  /** Stream this text, then hang without finishing (a model that stalls mid-answer). */
  | { kind: 'stall-after'; text: string };

/** Decides a chat reply's text from the request (messages, whether JSON was asked for). */
export type ChatResponder = (body: any) => string;

export type FakeOpenAIOptions = {
  /** Vector length of /embeddings answers. */
  dimensions?: number;
  /** Text of /chat/completions answers (streamed in small pieces when asked to stream). */
  chat?: ChatResponder;
};

/**
 * An OpenAI-compatible server on 127.0.0.1 that speaks the real wire protocol (JSON, SSE, base64
 * embeddings), records every request, and refuses routes it does not know. Tests script failures
 * per route with `enqueue`.
 */
export class FakeOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queues = new Map<string, Behaviour[]>();
  private server: Server | undefined;
  private dimensions: number;
  chat: ChatResponder;

  constructor(options: FakeOpenAIOptions = {}) {
    this.dimensions = options.dimensions ?? 8;
    this.chat = options.chat ?? (() => '好的。');
  }

  get baseURL(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('fake server not started');
    return `http://127.0.0.1:${address.port}/v1`;
  }

  /** Queues behaviours for one route (e.g. '/v1/embeddings'); unqueued requests are answered normally. */
  enqueue(path: string, ...behaviours: Behaviour[]): void {
    const queue = this.queues.get(path) ?? [];
    queue.push(...behaviours);
    this.queues.set(path, queue);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.json(response, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
    }
    const path = (request.url ?? '').split('?')[0]!;
    this.requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });

    const behaviour = this.queues.get(path)?.shift() ?? { kind: 'ok' };
    if (behaviour.kind === 'status') {
      for (const [name, value] of Object.entries(behaviour.headers ?? {})) response.setHeader(name, value);
      return this.json(response, behaviour.status, behaviour.body ?? { error: { message: `scripted ${behaviour.status}`, type: 'server_error' } });
    }
    if (behaviour.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
    if (response.destroyed) return;

    if (request.method === 'POST' && path === '/v1/embeddings') {
      const dimensions = behaviour.kind === 'dimensions' ? behaviour.dimensions : this.dimensions;
      return this.embeddings(response, body, dimensions);
    }
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      return this.chatCompletion(response, body, behaviour);
    }
    return this.json(response, 404, { error: { message: `unexpected ${request.method} ${path}`, type: 'invalid_request_error' } });
  }

  private embeddings(response: ServerResponse, body: any, dimensions: number): void {
    const inputs: string[] = Array.isArray(body?.input) ? body.input : [body?.input];
    if (!body?.model || inputs.some((input) => typeof input !== 'string')) {
      return this.json(response, 400, { error: { message: 'model and input are required', type: 'invalid_request_error' } });
    }
    const data = inputs.map((input, index) => {
      const vector = FakeOpenAIServer.vectorFor(input, dimensions);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    this.json(response, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
  }

  private chatCompletion(response: ServerResponse, body: any, behaviour: Behaviour): void {
    if (!body?.model || !Array.isArray(body?.messages) || !body.messages.length) {
      return this.json(response, 400, { error: { message: 'model and messages are required', type: 'invalid_request_error' } });
    }
    const text = behaviour.kind === 'stall-after' ? behaviour.text : this.chat(body);
    const id = `chatcmpl-${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      return this.json(response, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const event = (delta: object, finish: string | null = null) =>
      response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    event({ role: 'assistant', content: '' });
    for (const piece of [...text].reduce<string[]>((pieces, character, i) => (i % 4 ? (pieces[pieces.length - 1] += character) : pieces.push(character), pieces), [])) {
      event({ content: piece });
    }
    if (behaviour.kind === 'stall-after') return; // never finishes: the client's deadline must act
    event({}, 'stop');
    response.end('data: [DONE]\n\n');
  }

  /** A deterministic vector per text: character codes folded into the dimensions. */
  static vectorFor(text: string, dimensions: number): number[] {
    const vector = new Array<number>(dimensions).fill(0);
    for (const character of text) vector[character.codePointAt(0)! % dimensions]! += 1;
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  }

  private json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }
}
