import { addressBookOf } from '../../handoff/roster.ts';
import type { Reply } from '../../assistant/types.ts';
import type { Clock } from '../../clock.ts';
import { UpstreamError } from '../../errors.ts';
import type { Roster } from '../../handoff/roster.ts';
import type { Logger } from '../../logger.ts';
import { Unreachable, type Channel, type OutboundAddress } from '../channel.ts';
import { splitReply } from '../split.ts';

type Queued = { text: string; mentions: string[]; resolve: () => void; reject: (error: Error) => void };

const WINDOW_MS = 60_000;
// Markdown content may carry 4096 bytes: 1200 Chinese characters stay inside.
const MAX_CHARACTERS = 1200;

/**
 * The group robot webhook of each community's staff group (send-only): markdown notices that @ the
 * worker by userid. WeCom accepts 20 messages a minute per webhook; beyond that, notices queue and
 * are merged into as few messages as fit, so none is dropped.
 */
export class WeComWebhookChannel implements Channel {
  readonly name = 'wecom-webhook';
  readonly addressBook = addressBookOf(this.name);
  readonly maxMessageLength = MAX_CHARACTERS;
  private readonly sent = new Map<string, number[]>();
  private readonly queues = new Map<string, Queued[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: { roster: () => Roster; clock: Clock; logger: Logger; fetch?: typeof fetch; perMinute?: number },
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const [url] of this.queues) await this.flush(url, true);
  }

  /** `to.conversationId` is a community id; its roster entry names the webhook. */
  send(to: OutboundAddress, reply: Reply): Promise<void> {
    if (to.kind !== 'group') return Promise.reject(new Unreachable('a group robot webhook cannot send direct messages'));
    const url = this.deps.roster().community(to.conversationId)?.webhook;
    if (!url) return Promise.reject(new Unreachable(`community ${to.conversationId} has no staff group webhook`));
    const pieces = splitReply(reply, MAX_CHARACTERS - 100);
    return Promise.all(
      pieces.map(
        (text, index) =>
          new Promise<void>((resolve, reject) => {
            const queue = this.queues.get(url) ?? [];
            queue.push({ text, mentions: index === 0 ? (to.mentions ?? []) : [], resolve, reject });
            this.queues.set(url, queue);
            void this.flush(url);
          }),
      ),
    ).then(() => undefined);
  }

  private sentInWindow(url: string): number[] {
    const now = this.deps.clock.now().getTime();
    const recent = (this.sent.get(url) ?? []).filter((at) => now - at < WINDOW_MS);
    this.sent.set(url, recent);
    return recent;
  }

  /** Sends what the rate allows now; merges the rest when the window frees a slot. */
  private async flush(url: string, force = false): Promise<void> {
    const queue = this.queues.get(url);
    if (!queue?.length) return;
    const recent = this.sentInWindow(url);
    const limit = this.deps.perMinute ?? 20;
    if (recent.length >= limit && !force) {
      if (!this.timers.has(url)) {
        // Look again when the oldest send leaves the window (at least every second: the clock is injected).
        const wait = Math.min(1000, Math.max(50, WINDOW_MS - (this.deps.clock.now().getTime() - recent[0]!)));
        this.timers.set(url, setTimeout(() => {
          this.timers.delete(url);
          void this.flush(url);
        }, wait));
      }
      return;
    }
    // One slot: as many queued notices as fit go out together.
    const batch: Queued[] = [];
    let length = 0;
    while (queue.length && (batch.length === 0 || length + queue[0]!.text.length + 8 <= MAX_CHARACTERS)) {
      const next = queue.shift()!;
      batch.push(next);
      length += next.text.length + 8;
    }
    recent.push(this.deps.clock.now().getTime());
    const mentions = [...new Set(batch.flatMap((item) => item.mentions))];
    const content = [batch.map((item) => item.text).join('\n\n---\n\n'), mentions.map((id) => `<@${id}>`).join(' ')].filter(Boolean).join('\n');
    try {
      await this.post(url, content.length > MAX_CHARACTERS ? `${content.slice(0, MAX_CHARACTERS - 1)}…` : content);
      for (const item of batch) item.resolve();
    } catch (error) {
      this.deps.logger.warn({ err: error, notices: batch.length }, 'staff group webhook failed');
      for (const item of batch) item.reject(error as Error);
    }
    if (queue.length) await this.flush(url, force);
  }

  private async post(url: string, content: string): Promise<void> {
    const response = await (this.deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
    if (!response.ok || body.errcode) throw new UpstreamError(`webhook answered ${response.status} ${body.errcode ?? ''} ${body.errmsg ?? ''}`.trim(), { status: response.status });
  }
}
