import { addressBookOf } from '../../handoff/roster.ts';
import express, { type Router } from 'express';
import { XMLParser } from 'fast-xml-parser';
import type { KeyValueStore } from '../../assistant/memory.ts';
import type { Reply } from '../../assistant/types.ts';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import { Unreachable, type Channel, type MessageHandler, type OutboundAddress } from '../channel.ts';
import { splitReply } from '../split.ts';
import type { WeComApiClient } from './api-client.ts';
import { CallbackRejected, type WeComCrypto } from './crypto.ts';
import { WECOM_MEDIA_KINDS } from './media.ts';
import { parseRawQuery, verificationRoute } from './query.ts';

const xml = new XMLParser({ parseTagValue: false, trimValues: false });

/**
 * The WeCom self-built app (自建应用): one-to-one chats with staff and workers, and active sends
 * (ticket notices, reminders). It cannot see group messages. Callbacks are acknowledged at once with
 * an empty 200 (WeCom retries after 5 s) and answered through message/send.
 */
export class WeComAppChannel implements Channel {
  readonly name = 'wecom-app';
  readonly addressBook = addressBookOf(this.name);
  // A text message may carry 2048 bytes: 600 Chinese characters stay well inside.
  readonly maxMessageLength = 600;
  private onMessage: MessageHandler | undefined;

  constructor(
    private readonly deps: { crypto: WeComCrypto; api: WeComApiClient; agentId: string; store: KeyValueStore; clock: Clock; logger: Logger },
  ) {}

  async start(onMessage: MessageHandler): Promise<void> {
    this.onMessage = onMessage;
  }

  async stop(): Promise<void> {
    this.onMessage = undefined;
  }

  router(): Router {
    const router = express.Router();
    router.get('/wecom/app', verificationRoute(this.deps.crypto, (res, error) => this.reject(res, error)));
    router.post('/wecom/app', express.text({ type: () => true, limit: '256kb' }), (req, res) => {
      const query = parseRawQuery(req.originalUrl);
      let inner: Record<string, string>;
      try {
        const outer = xml.parse(typeof req.body === 'string' ? req.body : '')?.xml as Record<string, string> | undefined;
        inner = xml.parse(this.deps.crypto.open(query, outer?.Encrypt))?.xml ?? {};
      } catch (error) {
        return this.reject(res, error);
      }
      // Acknowledge first; WeCom retries a callback that takes longer than 5 seconds.
      res.status(200).send('');
      void this.accept(inner).catch((error) => this.deps.logger.error({ err: error }, 'WeCom app message failed'));
    });
    return router;
  }

  private reject(res: express.Response, error: unknown): void {
    if (error instanceof CallbackRejected) {
      this.deps.logger.warn({ reason: error.message }, 'WeCom app callback rejected');
      res.status(401).type('text/plain').send('');
      return;
    }
    this.deps.logger.warn({ err: error }, 'malformed WeCom app callback');
    res.status(400).type('text/plain').send('');
  }

  private async accept(message: Record<string, string>): Promise<void> {
    // A voice note or a picture is answered too: the requester is told to type.
    const media = WECOM_MEDIA_KINDS[message.MsgType ?? ''];
    if (!message.FromUserName || !(media || (message.MsgType === 'text' && message.Content))) return;
    const id = message.MsgId ?? `${message.FromUserName}:${message.CreateTime}`;
    // WeCom retries a callback it thinks failed: answer each message once.
    if (!(await this.deps.store.setIfAbsent(`wecom-app:msg:${id}`, 1, 24 * 3600))) return;
    await this.onMessage?.({
      id,
      channel: this.name,
      at: message.CreateTime ? new Date(Number(message.CreateTime) * 1000) : this.deps.clock.now(),
      conversation: { id: message.FromUserName, kind: 'direct' },
      sender: { id: message.FromUserName, name: message.FromUserName },
      text: media ? '' : (message.Content ?? '').trim(),
      mentionsBot: true,
      ...(media && { media }),
    });
  }

  async send(to: OutboundAddress, reply: Reply): Promise<void> {
    if (to.kind !== 'direct') throw new Unreachable('a WeCom self-built app cannot post to group chats');
    for (const piece of splitReply(reply, this.maxMessageLength)) await this.deps.api.sendText(this.deps.agentId, [to.userId], piece);
  }
}
