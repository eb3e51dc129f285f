import { addressBookOf } from '../../handoff/roster.ts';
import qrcodeTerminal from 'qrcode-terminal';
import type { Message, Wechaty } from 'wechaty';
import type { MediaKind, Reply } from '../../assistant/types.ts';
import type { Logger } from '../../logger.ts';
import { Unreachable, type Channel, type MessageHandler, type OutboundAddress } from '../channel.ts';
import { splitReply } from '../split.ts';

export type WechatyOptions = {
  /** A puppet module name (wechaty-puppet-service, wechaty-puppet-wechat4u) or a puppet instance. */
  puppet: string | object;
  puppetToken?: string | undefined;
  name?: string;
  logger: Logger;
};

/**
 * WeChat and WeCom groups through a Wechaty puppet. Messages from the bot itself and from official
 * accounts are dropped here; the hub decides which of the rest to answer.
 */
export class WechatyChannel implements Channel {
  readonly name = 'wechaty';
  readonly addressBook = addressBookOf(this.name);
  readonly maxMessageLength = 1500;
  private bot: Wechaty | undefined;
  /** The login QR code while waiting for a scan (shown in the terminal and on the admin page). */
  qrCode: string | undefined;
  loggedIn = false;

  constructor(private readonly options: WechatyOptions) {}

  async start(onMessage: MessageHandler): Promise<void> {
    const { puppet, puppetToken, logger } = this.options;
    // Loaded when WeChat groups are switched on: it takes 80 MB and a second to load.
    const { WechatyBuilder } = await import('wechaty');
    const bot = WechatyBuilder.build({
      name: this.options.name ?? 'rongzhi',
      puppet: puppet as never,
      ...(puppetToken !== undefined && { puppetOptions: { token: puppetToken } }),
    });
    bot.on('scan', (qrCode, status) => {
      this.qrCode = qrCode;
      logger.info({ status }, 'wechaty: scan the QR code to log in');
      if (process.stderr.isTTY) qrcodeTerminal.generate(qrCode, { small: true }, (art: string) => process.stderr.write(`${art}\n`));
    });
    bot.on('login', (user) => {
      this.qrCode = undefined;
      this.loggedIn = true;
      logger.info({ user: user.name() }, 'wechaty: logged in');
    });
    bot.on('logout', () => {
      this.loggedIn = false;
      logger.warn('wechaty: logged out');
    });
    bot.on('error', (error) => logger.error({ err: error }, 'wechaty error'));
    bot.on('message', (message) => {
      void this.convert(message)
        .then((inbound) => (inbound ? onMessage(inbound) : undefined))
        .catch((error) => logger.error({ err: error }, 'wechaty message failed'));
    });
    await bot.start();
    this.bot = bot;
  }

  async stop(): Promise<void> {
    await this.bot?.stop();
    this.bot = undefined;
    this.loggedIn = false;
    this.qrCode = undefined;
  }

  private async convert(message: Message): Promise<Parameters<MessageHandler>[0] | undefined> {
    if (message.self()) return undefined;
    const talker = message.talker();
    const room = message.room();
    const text = message.type() === this.bot!.Message.Type.Text;
    // A voice note or a picture cannot @ the bot in a group; in a direct chat it is told to type.
    const media = text || room ? undefined : this.mediaKinds().get(message.type());
    if (!text && !media) return undefined;
    const official = talker.type() === this.bot!.Contact.Type.Official;
    const base = { id: message.id, channel: this.name, at: message.date(), sender: { id: talker.id, name: talker.name(), ...(official && { isBot: true }) } };
    if (!room) return { ...base, conversation: { id: talker.id, kind: 'direct' }, text: media ? '' : message.text().trim(), mentionsBot: true, ...(media && { media }) };
    const selfName = this.bot!.currentUser.name();
    const mentionsBot = (await message.mentionSelf()) || message.text().includes(`@${selfName}`);
    return {
      ...base,
      conversation: { id: room.id, kind: 'group', title: await room.topic() },
      text: (await message.mentionText()).replaceAll(`@${selfName}`, '').trim(),
      mentionsBot,
    };
  }

  private mediaKinds(): Map<number, MediaKind> {
    const { Type } = this.bot!.Message;
    return new Map<number, MediaKind>([
      [Type.Audio, 'voice'],
      [Type.Image, 'image'],
      [Type.Video, 'video'],
      [Type.Attachment, 'file'],
    ]);
  }

  async send(to: OutboundAddress, reply: Reply): Promise<void> {
    const bot = this.bot;
    if (!bot) throw new Unreachable('wechaty is not running');
    const pieces = splitReply(reply, this.maxMessageLength);
    if (to.kind === 'direct') {
      const contact = await bot.Contact.find({ id: to.userId });
      if (!contact) throw new Unreachable(`no WeChat contact ${to.userId}`);
      for (const piece of pieces) await contact.say(piece);
      return;
    }
    const room = (to.conversationId && (await bot.Room.find({ id: to.conversationId }))) || (to.title ? await bot.Room.find({ topic: to.title }) : undefined);
    if (!room) throw new Unreachable(`no WeChat group ${to.title ?? to.conversationId}`);
    const mentions = (await Promise.all((to.mentions ?? []).map((id) => bot.Contact.find({ id })))).filter((contact) => contact !== undefined);
    const [first, ...rest] = pieces;
    // @ the people on the first piece only: the rest of a split answer follows it.
    if (first !== undefined) await (mentions.length ? room.say(first, ...mentions) : room.say(first));
    for (const piece of rest) await room.say(piece);
  }
}
