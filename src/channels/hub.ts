import type { Assistant } from '../assistant/assistant.ts';
import type { KeyValueStore } from '../assistant/memory.ts';
import type { AnswerEvent, AssistantResult, InboundMessage, Reply } from '../assistant/types.ts';
import type { Clock } from '../clock.ts';
import { parseWorkerCommand } from '../handoff/commands.ts';
import type { OutboxNotifier, Recipient } from '../handoff/notifier.ts';
import type { Roster } from '../handoff/roster.ts';
import type { Notification } from '../handoff/ticket.ts';
import type { Logger } from '../logger.ts';
import { mask } from '../privacy.ts';
import { Unreachable, type Channel, type OutboundAddress } from './channel.ts';
import { RateLimiter } from './rate-limit.ts';

export const channelReplies = {
  slowDown: '你发得有点快，请稍等一分钟再问我。',
  groupBusy: '大家问得有点多，我一分钟后再回复。',
  continueInDirect: '这件事涉及个人情况，请私聊我继续。',
};

export type HubOptions = { prefixes: string[]; perSenderPerMinute: number; perGroupPerMinute: number };

/**
 * Between the channels and the assistant: decides which messages the bot answers in a group, limits
 * floods, sends the assistant's replies back, and delivers ticket notifications over whichever
 * channel can reach the recipient.
 */
export class ChannelHub {
  private readonly channels: Channel[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly senders: RateLimiter;
  private readonly groups: RateLimiter;

  constructor(
    private readonly deps: { assistant: Assistant; roster: () => Roster; notifier: OutboxNotifier; store: KeyValueStore; clock: Clock; logger: Logger; options: HubOptions },
  ) {
    this.senders = new RateLimiter(deps.store, deps.clock, deps.options.perSenderPerMinute, 60_000, 'rate:sender');
    this.groups = new RateLimiter(deps.store, deps.clock, deps.options.perGroupPerMinute, 60_000, 'rate:group');
    deps.notifier.addDeliverer((notification, recipient) => this.deliver(notification, recipient));
  }

  get started(): readonly Channel[] {
    return this.channels;
  }

  async start(channel: Channel): Promise<void> {
    await channel.start((message) => this.receive(channel, message).then(() => undefined));
    this.channels.push(channel);
    this.deps.logger.info({ channel: channel.name }, 'channel started');
  }

  async stop(): Promise<void> {
    for (const channel of this.channels.splice(0)) await channel.stop();
  }

  /** Stops one channel (the WeChat login moving to another instance). */
  async stopChannel(channel: Channel): Promise<void> {
    const at = this.channels.indexOf(channel);
    if (at < 0) return;
    this.channels.splice(at, 1);
    await channel.stop();
    this.deps.logger.info({ channel: channel.name }, 'channel stopped');
  }

  /**
   * Handles one inbound message. With `inline`, the channel shows the replies to the conversation
   * itself (the WeCom AI bot streams them) and only direct replies are sent from here.
   */
  receive(channel: Channel, message: InboundMessage, options: { onEvent?: (event: AnswerEvent) => void; inline?: boolean } = {}): Promise<AssistantResult | undefined> {
    const handling = this.handle(channel, message, options);
    this.inFlight.add(handling);
    void handling.catch(() => undefined).finally(() => this.inFlight.delete(handling));
    return handling;
  }

  /** Resolves when every message received so far has been answered (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async handle(channel: Channel, message: InboundMessage, options: { onEvent?: (event: AnswerEvent) => void; inline?: boolean }): Promise<AssistantResult | undefined> {
    const log = this.deps.logger.child({ channel: channel.name, messageId: message.id });
    if (message.sender.isBot) return undefined;
    const gated = this.gate(channel, message);
    if (!gated) return undefined;

    const group = message.conversation.kind === 'group';
    const senderVerdict = await this.senders.check(`${channel.name}:${message.sender.id}`);
    const groupVerdict = group ? await this.groups.check(`${channel.name}:${message.conversation.id}`) : 'allow';
    const verdict = senderVerdict !== 'allow' ? senderVerdict : groupVerdict;
    if (verdict !== 'allow') {
      log.info({ verdict }, 'rate limited');
      if (verdict === 'warn') {
        const text = senderVerdict === 'warn' ? channelReplies.slowDown : channelReplies.groupBusy;
        await this.send(channel, this.conversationOf(message), { text, ...(group && { mentions: [message.sender.id] }) }, log);
      }
      return undefined;
    }

    const result = await this.deps.assistant.handle(gated, options.onEvent);
    for (const reply of result.replies) {
      if (reply.direct) await this.sendDirect(channel, message, reply, log);
      else if (!options.inline) await this.send(channel, this.conversationOf(message), reply, log);
    }
    return result;
  }

  /** In a group the bot answers only when @mentioned or addressed by prefix, and takes worker commands in staff groups. */
  private gate(channel: Channel, message: InboundMessage): InboundMessage | undefined {
    if (message.conversation.kind === 'direct' || message.mentionsBot) return message;
    const text = message.text.trim();
    for (const prefix of this.deps.options.prefixes) {
      if (prefix && text.startsWith(prefix)) return { ...message, text: text.slice(prefix.length).replace(/^[\s,，:：]+/, ''), mentionsBot: true };
    }
    const roster = this.deps.roster();
    if (roster.staffGroupOf(message.conversation) && parseWorkerCommand(text) && roster.workerByAddress(channel.addressBook, message.sender.id)) return message;
    return undefined;
  }

  private conversationOf(message: InboundMessage): OutboundAddress {
    return message.conversation.kind === 'group'
      ? { kind: 'group', conversationId: message.conversation.id, title: message.conversation.title }
      : { kind: 'direct', userId: message.sender.id };
  }

  private async send(channel: Channel, to: OutboundAddress, reply: Reply, log: Logger): Promise<void> {
    const address = to.kind === 'group' && reply.mentions ? { ...to, mentions: reply.mentions } : to;
    // Nothing personal goes to a group.
    const text = to.kind === 'group' ? mask(reply.text) : reply.text;
    try {
      await channel.send(address, { ...reply, text });
    } catch (error) {
      log.error({ err: error, to: address.kind }, 'reply could not be sent');
    }
  }

  /** A direct reply goes by this channel if it can, else by another that knows the same people. */
  private async sendDirect(channel: Channel, message: InboundMessage, reply: Reply, log: Logger): Promise<void> {
    const candidates = [channel, ...this.channels.filter((other) => other !== channel && other.addressBook === channel.addressBook)];
    for (const candidate of candidates) {
      try {
        await candidate.send({ kind: 'direct', userId: message.sender.id }, reply);
        return;
      } catch (error) {
        if (!(error instanceof Unreachable)) log.warn({ err: error, channel: candidate.name }, 'direct reply failed');
      }
    }
    log.warn('no channel can reach the sender directly: asking them to write privately');
    if (message.conversation.kind === 'group') await this.send(channel, this.conversationOf(message), { text: channelReplies.continueInDirect, mentions: [message.sender.id] }, log);
  }

  /** The notifier's deliverer: true when some channel delivered the notification. */
  private async deliver(notification: Notification, recipient: Recipient): Promise<boolean> {
    const roster = this.deps.roster();
    const reply = (mentions: string[]): Reply => ({ text: notification.text, ...(mentions.length && { mentions }) });
    const attempts: { channel: Channel; to: OutboundAddress; reply: Reply }[] = [];
    for (const channel of this.channels) {
      const mentionsOn = (ids: string[]) => ids.map((id) => roster.worker(id)?.addresses[channel.addressBook] ?? id);
      if (recipient.kind === 'worker') {
        const userId = roster.worker(recipient.workerId)?.addresses[channel.addressBook];
        if (userId) attempts.push({ channel, to: { kind: 'direct', userId }, reply: reply([]) });
      } else if (recipient.kind === 'staff-group') {
        const group = roster.staffGroup(recipient.community);
        if (channel.name === 'wecom-webhook') attempts.push({ channel, to: { kind: 'group', conversationId: recipient.community, mentions: mentionsOn(notification.mentions) }, reply: reply([]) });
        else if (group) attempts.push({ channel, to: { kind: 'group', conversationId: group.id ?? '', title: group.title, mentions: mentionsOn(notification.mentions) }, reply: reply([]) });
      } else if (recipient.address.channel === channel.name) {
        const address = recipient.address;
        const to: OutboundAddress = address.conversationKind === 'group'
          ? { kind: 'group', conversationId: address.conversationId, mentions: notification.mentions }
          : { kind: 'direct', userId: address.userId ?? address.conversationId };
        attempts.push({ channel, to, reply: reply([]) });
        // A group the channel cannot post to later (the AI bot) still reaches the person directly.
        if (address.conversationKind === 'group' && address.userId) {
          for (const other of this.channels) {
            if (other.addressBook === channel.addressBook) attempts.push({ channel: other, to: { kind: 'direct', userId: address.userId }, reply: reply([]) });
          }
        }
      }
    }
    let lastError: unknown;
    for (const attempt of attempts) {
      try {
        await attempt.channel.send(attempt.to, attempt.reply);
        return true;
      } catch (error) {
        lastError = error;
        if (!(error instanceof Unreachable)) this.deps.logger.warn({ err: error, channel: attempt.channel.name, notification: notification.id }, 'delivery attempt failed');
      }
    }
    if (lastError && !(lastError instanceof Unreachable)) throw lastError;
    return false;
  }
}

