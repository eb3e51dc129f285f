import { addressBookOf } from '../../handoff/roster.ts';
import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import type { KeyValueStore } from '../../assistant/memory.ts';
import { renderCitations } from '../../assistant/grounding.ts';
import type { AnswerEvent, AssistantResult, InboundMessage, Reply } from '../../assistant/types.ts';
import type { Clock } from '../../clock.ts';
import { UpstreamError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { mask } from '../../privacy.ts';
import { Unreachable, type Channel, type OutboundAddress } from '../channel.ts';
import { CallbackRejected, type WeComCrypto } from './crypto.ts';
import { WECOM_MEDIA_KINDS } from './media.ts';
import { parseRawQuery, verificationRoute } from './query.ts';

/** WeCom's limits for the AI bot: stream content in bytes, the refresh window, a response_url's life. */
export const AIBOT_LIMITS = { contentBytes: 20_480, streamWindowMs: 6 * 60_000, responseUrlMs: 60 * 60_000 };

type Stream = {
  id: string;
  content: string;
  finished: boolean;
  startedAt: number;
  responseUrl: string | undefined;
  chatId: string;
  /** Set when the answer was sent through response_url because the window had passed. */
  deliveredByUrl: boolean;
};

type Callback = {
  msgid?: string;
  chatid?: string;
  chattype?: 'single' | 'group';
  from?: { userid?: string };
  response_url?: string;
  msgtype?: string;
  text?: { content?: string };
  /** In a direct chat, WeCom sends a voice message's words as text. */
  voice?: { content?: string };
  mixed?: { msg_item?: { msgtype?: string; text?: { content?: string } }[] };
  quote?: { msgtype?: string; text?: { content?: string } };
  stream?: { id?: string };
};

export type AiBotHandler = (message: InboundMessage, onEvent: (event: AnswerEvent) => void) => Promise<AssistantResult | undefined>;

/** Cuts text to at most `bytes` UTF-8 bytes without splitting a character. */
export function fitBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text;
  let end = text.length;
  while (end > 0 && Buffer.byteLength(`${text.slice(0, end)}…`, 'utf8') > bytes) end = Math.floor(end * 0.95);
  return `${text.slice(0, end)}…`;
}

/**
 * The WeCom AI bot (智能机器人, API mode): group @mentions and one-to-one chats in WeCom, as encrypted
 * JSON callbacks; the receive id is empty. Answers are streamed: the first callback returns the
 * stream so far, WeCom then asks for refreshes until `finish`. An answer that completes after the
 * stream window is sent through the message's response_url.
 */
export class WeComAiBotChannel implements Channel {
  readonly name = 'wecom-aibot';
  readonly addressBook = addressBookOf(this.name);
  readonly maxMessageLength = 6000;
  private handler: AiBotHandler | undefined;
  /** Streams this instance is answering; their state is also saved to the shared store, so a refresh that reaches another instance sees it. */
  private readonly streams = new Map<string, Stream>();
  private readonly saving = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: { crypto: WeComCrypto; store: KeyValueStore; clock: Clock; logger: Logger; fetch?: typeof fetch; firstReplyWaitMs?: number },
  ) {}

  /** The AI bot streams, so it takes the assistant's events rather than plain replies. */
  setHandler(handler: AiBotHandler): void {
    this.handler = handler;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.handler = undefined;
  }

  router(): Router {
    const router = express.Router();
    router.get('/wecom/aibot', verificationRoute(this.deps.crypto, (res, error) => this.reject(res, error)));
    router.post('/wecom/aibot', express.json({ limit: '256kb', type: () => true }), async (req, res) => {
      const query = parseRawQuery(req.originalUrl);
      let callback: Callback;
      try {
        callback = JSON.parse(this.deps.crypto.open(query, (req.body as { encrypt?: string } | undefined)?.encrypt)) as Callback;
      } catch (error) {
        return this.reject(res, error);
      }
      try {
        const stream = await this.onCallback(callback);
        if (!stream) return res.status(200).send('');
        res.json(this.encryptedReply(stream, query));
      } catch (error) {
        this.deps.logger.error({ err: error }, 'WeCom AI bot callback failed');
        res.status(200).send('');
      }
    });
    return router;
  }

  private reject(res: express.Response, error: unknown): void {
    if (error instanceof CallbackRejected) {
      this.deps.logger.warn({ reason: error.message }, 'WeCom AI bot callback rejected');
      res.status(401).json({ error: { code: 'callback_rejected', message: '签名校验失败。' } });
      return;
    }
    this.deps.logger.warn({ err: error }, 'malformed WeCom AI bot callback');
    res.status(400).json({ error: { code: 'bad_request', message: '请求格式不正确。' } });
  }

  private encryptedReply(stream: Stream, query: Record<string, string>) {
    const plain = JSON.stringify({ msgtype: 'stream', stream: { id: stream.id, finish: stream.finished, content: fitBytes(stream.content, AIBOT_LIMITS.contentBytes) } });
    const encrypt = this.deps.crypto.encrypt(plain);
    const timestamp = query.timestamp ?? String(Math.floor(this.deps.clock.now().getTime() / 1000));
    const nonce = query.nonce ?? randomUUID().slice(0, 8);
    return { encrypt, msgsignature: this.deps.crypto.signature(timestamp, nonce, encrypt), timestamp: Number(timestamp), nonce };
  }

  /** A stream's state: this instance's own, or what the instance answering it saved. */
  private async findStream(id: string): Promise<Stream | undefined> {
    return this.streams.get(id) ?? (await this.deps.store.get<Stream>(`wecom-aibot:stream:${id}`));
  }

  private saveStream(stream: Stream): Promise<void> {
    clearTimeout(this.saving.get(stream.id));
    this.saving.delete(stream.id);
    return this.deps.store.set(`wecom-aibot:stream:${stream.id}`, stream, (AIBOT_LIMITS.streamWindowMs + 60_000) / 1000);
  }

  /** Saves a growing stream at most a few times a second, not on every piece of text. */
  private saveSoon(stream: Stream): void {
    if (this.saving.has(stream.id)) return;
    const timer = setTimeout(() => void this.saveStream(stream).catch((error) => this.deps.logger.warn({ err: error }, 'stream state not saved')), 250);
    timer.unref();
    this.saving.set(stream.id, timer);
  }

  private async onCallback(callback: Callback): Promise<Stream | undefined> {
    if (callback.msgtype === 'stream') {
      // A refresh: answer from the stream's current state.
      const stream = callback.stream?.id ? await this.findStream(callback.stream.id) : undefined;
      return stream ?? { id: callback.stream?.id ?? '', content: '', finished: true, startedAt: 0, responseUrl: undefined, chatId: '', deliveredByUrl: false };
    }
    const text = this.textOf(callback);
    // A picture or a file (direct chats only) is answered with a request to type.
    const media = text ? undefined : WECOM_MEDIA_KINDS[callback.msgtype ?? ''];
    const userId = callback.from?.userid;
    if (!(text || media) || !userId || !callback.msgid) return undefined;
    const chatId = callback.chattype === 'group' ? (callback.chatid ?? '') : userId;
    if (callback.response_url) await this.deps.store.set(`wecom-aibot:url:${chatId}`, { url: callback.response_url, at: this.deps.clock.now().getTime() }, AIBOT_LIMITS.responseUrlMs / 1000);
    // A retried callback (to this instance or another) gets the same stream, not a second answer.
    const known = await this.deps.store.get<string>(`wecom-aibot:msg:${callback.msgid}`);
    if (known) return this.findStream(known);
    const stream: Stream = { id: randomUUID(), content: '', finished: false, startedAt: this.deps.clock.now().getTime(), responseUrl: callback.response_url, chatId, deliveredByUrl: false };
    if (!(await this.deps.store.setIfAbsent(`wecom-aibot:msg:${callback.msgid}`, stream.id, 24 * 3600))) {
      const other = await this.deps.store.get<string>(`wecom-aibot:msg:${callback.msgid}`);
      return other ? this.findStream(other) : undefined;
    }
    this.streams.set(stream.id, stream);
    await this.saveStream(stream);
    setTimeout(() => this.streams.delete(stream.id), AIBOT_LIMITS.streamWindowMs + 60_000).unref();

    const message: InboundMessage = {
      id: callback.msgid,
      channel: this.name,
      at: this.deps.clock.now(),
      conversation: callback.chattype === 'group' ? { id: chatId, kind: 'group' } : { id: userId, kind: 'direct' },
      sender: { id: userId, name: userId },
      text,
      mentionsBot: true,
      ...(media && { media }),
    };
    const done = this.answer(stream, message);
    // A quick answer goes out finished in the first reply; a slow one streams through refreshes.
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, this.deps.firstReplyWaitMs ?? 1000))]);
    return stream;
  }

  private async answer(stream: Stream, message: InboundMessage): Promise<void> {
    const group = message.conversation.kind === 'group';
    try {
      const result = await this.handler?.(message, (event) => {
        if (event.type !== 'text-delta') return;
        stream.content += group ? mask(event.text) : event.text;
        this.saveSoon(stream);
      });
      const replies = (result?.replies ?? []).filter((reply) => !reply.direct);
      stream.content = replies.map((reply) => this.render(reply, group)).join('\n\n');
    } catch (error) {
      this.deps.logger.error({ err: error }, 'answering a WeCom AI bot message failed');
      stream.content = '服务暂时出了点问题，请稍后再试。';
    }
    stream.finished = true;
    if (this.deps.clock.now().getTime() - stream.startedAt > AIBOT_LIMITS.streamWindowMs && stream.responseUrl && stream.content) {
      // WeCom stopped asking for refreshes: the final answer goes through response_url.
      if (await this.claimResponseUrl(stream.chatId, stream.responseUrl)) {
        await this.postResponseUrl(stream.responseUrl, stream.content).catch((error) => this.deps.logger.warn({ err: error }, 'response_url failed'));
        stream.deliveredByUrl = true;
      }
    }
    await this.saveStream(stream).catch((error) => this.deps.logger.warn({ err: error }, 'stream state not saved'));
  }

  /** A response_url may be used once, by one instance. */
  private async claimResponseUrl(chatId: string, url: string): Promise<boolean> {
    const saved = await this.deps.store.get<{ url: string }>(`wecom-aibot:url:${chatId}`);
    if (saved?.url === url) await this.deps.store.delete(`wecom-aibot:url:${chatId}`);
    return this.deps.store.setIfAbsent(`wecom-aibot:url-used:${url}`, 1, AIBOT_LIMITS.responseUrlMs / 1000);
  }

  private render(reply: Reply, group: boolean): string {
    const text = group ? mask(reply.text) : reply.text;
    const citations = renderCitations(reply.citations ?? []);
    return citations ? `${text}\n\n${citations}` : text;
  }

  private textOf(callback: Callback): string {
    const strip = (value: string | undefined) => (value ?? '').replace(/^(\s*@\S+\s*)+/, '').trim();
    let own = '';
    if (callback.msgtype === 'text') own = strip(callback.text?.content);
    else if (callback.msgtype === 'voice') own = (callback.voice?.content ?? '').trim();
    else if (callback.msgtype === 'mixed') {
      own = strip((callback.mixed?.msg_item ?? []).filter((item) => item.msgtype === 'text').map((item) => item.text?.content ?? '').join(' '));
    }
    const quoted = callback.quote?.msgtype === 'text' ? (callback.quote.text?.content ?? '').trim() : '';
    // "这个怎么办？" quoting a message: the quoted text is what it is about.
    if (quoted && own.length <= 8) return own ? `${quoted}。${own}` : quoted;
    return own;
  }

  private async postResponseUrl(url: string, content: string): Promise<void> {
    const response = await (this.deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: fitBytes(content, AIBOT_LIMITS.contentBytes) } }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!response.ok || body.errcode) throw new UpstreamError(`response_url answered ${response.status} ${body.errcode ?? ''}`, { status: response.status });
  }

  /**
   * A later message into a chat (a worker's reply): through the chat's response_url while it is
   * valid and unused; otherwise the AI bot cannot post there.
   */
  async send(to: OutboundAddress, reply: Reply): Promise<void> {
    const chatId = to.kind === 'group' ? to.conversationId : to.userId;
    const saved = await this.deps.store.get<{ url: string; at: number }>(`wecom-aibot:url:${chatId}`);
    if (!saved || this.deps.clock.now().getTime() - saved.at > AIBOT_LIMITS.responseUrlMs || !(await this.claimResponseUrl(chatId, saved.url))) {
      throw new Unreachable('no valid response_url for this chat');
    }
    const mentions = to.kind === 'group' ? (to.mentions ?? []).map((id) => `<@${id}>`).join(' ') : '';
    await this.postResponseUrl(saved.url, [mentions, this.render(reply, to.kind === 'group')].filter(Boolean).join(' '));
  }
}
