import { replyTo, type HandoffHandler, type MessageContext } from '../assistant/assistant.ts';
import { FALLBACK_CATEGORY, type Categories, type Category } from '../assistant/categories.ts';
import { AROUND_A_PLACE } from '../assistant/grounding.ts';
import { replies as assistantReplies, THANKS } from '../assistant/replies.ts';
import { acceptsOffer, announcesQuestion, asksForPerson, asksSomething, declinesOffer, onlyGreets } from '../assistant/router.ts';
import type { InboundMessage, Reply, TicketSummary } from '../assistant/types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { findPhone, mask } from '../privacy.ts';
import { normalizeText } from '../retrieval/text.ts';
import { chooseAssignee, isOnDuty, nextOnDuty } from './assignment.ts';
import { parseWorkerCommand, wordsForTicket, type WorkerCommand } from './commands.ts';
import { deskMessages as say, STATUS_LABELS } from './messages.ts';
import type { Notifier, Recipient } from './notifier.ts';
import { namesOf, type Roster, type Worker } from './roster.ts';
import { ACCEPTABLE_STATUSES, LIVE_STATUSES, formatTicketId, type RequesterAddress, type Ticket } from './ticket.ts';
import { draftsExpireBefore, type Draft, type TicketStore } from './ticket-store.ts';

/** The outcome of a worker's action, whichever surface it came from (chat command or console). */
export type ActionOutcome = { ok: boolean; message: string; ticket?: Ticket };

/**
 * A message that only withdraws: "取消", "撤销", "算了", "不用了", and the same said more fully —
 * "取消工单", "帮我取消一下", "我要撤销这个申请", "算了不用了", "不用了，取消吧". Each had been passed
 * to the worker as news, after the confirmation had said "回复\"取消\"可撤销".
 */
const CANCEL_CLAUSE = '(?:那就?|我)?(?:(?:帮我|请|麻烦|要|想)?(?:取消|撤销|撤回)(?:掉|一下)?(?:这个|这次|我的|刚才的)?(?:工单|登记|申请|报修|请求)?|算了|不用了)(?:吧|了|啊)?';
const CANCEL = new RegExp(`^(?:${CANCEL_CLAUSE})+$`, 'u');
const withdraws = (text: string) => CANCEL.test(text.replace(/[\s\p{P}]+/gu, ''));
/**
 * "不用了，已经修好了", "自己弄好了": the matter may need no one any more. Only "取消" withdraws a
 * ticket — "不用了，今天下午来就行" answers the worker — so it is said how.
 */
const NO_LONGER_NEEDED = /(?<![没不]\p{Script=Han}?)(?:修好|弄好|搞定|解决|处理好|好)了|不用(?:修|来|处理|麻烦)了|不需要了/u;
const RATING = /^([1-5]|[一二三四五])(?:分|星|颗星)?$/;
const NUMERALS = '一二三四五';
/** The words of the scale asked for ("5 为非常满意"), in the order they are tried. */
const SATISFACTION: [RegExp, number][] = [
  [/^(?:非常|很|特别|十分)不满意$|^(?:太差|很差)$/, 1],
  [/^不太?满意$|^不好$/, 2],
  [/^(?:一般|还行|凑合)$/, 3],
  [/^(?:非常|很|特别|十分|超级)满意$/, 5],
  [/^(?:挺|比较|还算)?满意$|^(?:还不错|不错)$/, 4],
];

/**
 * A rating as the requester gives it: "5", "5分", "五星", "非常满意" (5), "满意" (4), "一般" (3) —
 * or `off-scale` for another number ("6", "10分"), which is asked again.
 */
function ratingIn(text: string): number | 'off-scale' | undefined {
  const plain = normalizeText(text).replace(/[\s。！!~～.]+|[了啊呀哦]+$/g, '');
  const digit = RATING.exec(plain)?.[1];
  if (digit) return NUMERALS.includes(digit) ? NUMERALS.indexOf(digit) + 1 : Number(digit);
  const said = SATISFACTION.find(([words]) => words.test(plain));
  if (said) return said[1];
  return /^\d+(?:分|星)?$/.test(plain) ? 'off-scale' : undefined;
}
/** How many times "没找到这个社区" is said before a half-filled request is dropped. */
const COMMUNITY_ASKS = 2;
/** Where a place name ends ("金沙湖那边", "下沙街道"): a short reply ending so is an attempt to name the community. */
const PLACE_ENDING = /(社区|园区|小镇|街道|镇|村|区|园|港|谷|湖|里|城|苑|路|街|公寓|中心|广场|大厦|这边|那边|这里|那里|附近)$/;
/** Longer than this, a reply to "which community" that names none says more than where the requester is. */
const PLACE_REPLY_LENGTH = 10;
/** Not knowing where, which answers "which community" too. */
const NOT_KNOWING = /^我?[也还]?(不清楚|不知道|不确定|不晓得|不记得|忘了|说不清)/;
/** How long after it was resolved a rated (closed) ticket is reopened by "还是没修好". */
const REOPEN_CLOSED_MS = 7 * 24 * 3600_000;
const NOT_SOLVED = /没解决|没有解决|还没好|没修好|没弄好|重新打开|还是不行/;
/**
 * A requester asking after their own requests: "查一下我的工单", "报修进度怎么样了", "处理到哪一步了";
 * not "查看申请条件" or "怎么查报修电话", which ask about the service.
 */
const STATUS_QUERY =
  /^我的(工单|单子|报修|申请)[。？?！!]*$|(查|看)一?(下|看)?我?(的|提交的|登记的)?(工单|单子|报修|申请)(?!条件|办法|流程|材料|方式|电话|地址|要求|表|渠道|入口)|(工单|单子|报修|申请|登记)的?(进度|状态|处理得?怎么样|怎么样了|到哪)|(处理|办)到哪(一步|里)?了|进度(怎么样|如何)/;
/** A worker asking how to use the commands, or saying one without the ticket it is for. */
const ASKS_FOR_COMMANDS = /^(?:帮助|help|指令|命令|怎么用|用法)[。！!？?]*$/i;
const ACTION_WITHOUT_TICKET = /^(?:接单|完成|办结|回复|转办?)[。！!]*$/;
/** The ticket number a malformed command starts with ("#1024 接单 好的" → 1024). */
const ticketNumberIn = (text: string): number | undefined => {
  const match = /^[#＃]\s*(\d+)/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
};
/** "多久能来修", "师傅几点到", "怎么还没人联系我": the requester asking when, answered with where the ticket stands. */
const ASKS_WHEN = /什么时候|啥时候|多久|多长时间|几点|怎么还没|还没(?:有)?人?(?:来|联系|回|接|处理)|快点|快些|尽快|抓紧|催/;
/** How many of a requester's tickets "查一下我的工单" lists, newest first. */
const STATUS_LISTED = 3;
/** Thanks or an okay, and nothing else: before the worker has said anything, it is said to the bot. */
const ACKNOWLEDGEMENT = /^(好的?|嗯+|哦+|ok|okay|收到|知道了|明白了?|行|可以)?[，,\s]*(谢谢(你|您|啦|了)?|多谢|感谢|辛苦(了|啦)?|麻烦(你|您)?了)?[。！!~～.]*$/i;

/**
 * A reply that only answers where the requester is: "医药港", "我在白杨街道邻里社区上班", "下沙",
 * "金沙湖那边", "不清楚". Anything else it says is more ("医药港，水管也漏了", "水管也漏了").
 * `named`: the names of the communities it names, which are the answer.
 */
function onlyAnswersWhere(text: string, named: string[]): boolean {
  const plain = normalizeText(text).replace(/[\p{P}\p{S}]+$/u, '');
  if (NOT_KNOWING.test(plain)) return true;
  if (named.length) return ![...named].sort((a, b) => b.length - a.length).reduce((rest, name) => rest.split(name).join(''), plain).replace(AROUND_A_PLACE, '');
  if (plain.length > PLACE_REPLY_LENGTH || /[\p{P}\p{S}]/u.test(plain)) return false;
  // "在下沙": a name of two characters after what is said around a place ("宿舍的事" leaves one).
  return plain.length <= 2 || plain.replace(AROUND_A_PLACE, '').length === 2 || PLACE_ENDING.test(plain);
}

/** The request's description with what the requester added, in their words, after it. */
function withDetail(description: string | null, detail: string): string {
  return description ? `${description.replace(/[。；;，,.!！\s]+$/u, '')}；${detail}` : detail;
}

/**
 * Privacy for requests raised in a group: a sensitive topic gets one line in the group that reveals
 * nothing, and the conversation continues in a direct chat.
 */
function moveSensitiveToDirect(ctx: MessageContext): boolean {
  const { message, services, result } = ctx;
  if (message.conversation.kind !== 'group' || !services.categories.isSensitive(result.category)) return false;
  result.replies.push(replyTo(ctx, { text: assistantReplies.movedToDirect }));
  result.answer = assistantReplies.movedToDirect;
  return true;
}

export function ticketSummary(ticket: Ticket): TicketSummary {
  return { id: ticket.id, status: ticket.status, category: ticket.category, community: ticket.community, assignee: ticket.assignee };
}

/**
 * A ticket the supervisor takes (a complaint, perhaps about a colleague) is for its assignee and the
 * community's supervisor: the community's other workers do not see it, in their group or console.
 */
export function hiddenFrom(ticket: Ticket, workerId: string, roster: Roster, categories: Categories): boolean {
  return categories.get(ticket.category).toSupervisor && workerId !== ticket.assignee && workerId !== roster.supervisorOf(ticket.community)?.id;
}

/** Phone and ID-card numbers are visible to the assigned worker and supervisors only. */
export function ticketFor(ticket: Ticket, viewer: { workerId?: string | undefined; roster: Roster } | undefined): Ticket {
  const privileged =
    viewer?.workerId !== undefined && (viewer.workerId === ticket.assignee || viewer.roster.supervisorOf(ticket.community)?.id === viewer.workerId);
  if (privileged) return ticket;
  return { ...ticket, description: mask(ticket.description), contact: ticket.contact ? mask(ticket.contact) : null };
}

/**
 * The handoff desk: service requests become tickets assigned to the right community worker;
 * workers act on them with commands on any channel (or the console), and their replies travel back
 * to where the request was made.
 */
export class HandoffDesk implements HandoffHandler {
  constructor(
    private readonly deps: {
      store: TicketStore;
      roster: () => Roster;
      categories: Categories;
      notifier: Notifier;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  private get roster(): Roster {
    return this.deps.roster();
  }

  // ── The pipeline's gate: commands, drafts, ratings and follow-ups come here first ──

  async intercept(ctx: MessageContext): Promise<boolean> {
    const { message } = ctx;
    const worker = this.roster.workerByAddress(message.channel, message.sender.id);
    if (worker && (await this.workerMessage(ctx, worker))) return true;
    if (await this.continueDraft(ctx)) return true;
    if (await this.rateOrReopen(ctx)) return true;
    if (await this.requesterStatus(ctx)) return true;
    if (await this.followUp(ctx)) return true;
    // "取消" with nothing being registered and no live ticket here: said so, not greeted. "不用了"
    // then is no to what was offered, and gets a goodbye.
    const text = message.text.trim();
    if (!withdraws(text) || declinesOffer(text)) return false;
    ctx.result.route = 'handoff';
    this.tellRequester(ctx, say.nothingToCancel, false);
    return true;
  }

  isStaff(message: InboundMessage): boolean {
    if (this.roster.workerByAddress(message.channel, message.sender.id)) return true;
    return message.conversation.kind === 'group' && this.roster.staffGroupOf(message.conversation) !== undefined;
  }

  /**
   * "查一下我的工单": the requester's latest tickets with their status and who has them. In a group,
   * the list goes to the requester alone: a ticket's matter may be private. A worker gets theirs.
   */
  private async requesterStatus(ctx: MessageContext): Promise<boolean> {
    const { message } = ctx;
    if (!STATUS_QUERY.test(message.text.trim())) return false;
    // A community worker asking after "my tickets" means the ones they handle.
    const worker = this.roster.workerByAddress(message.channel, message.sender.id);
    if (worker) return this.answerWorker(ctx, (await this.myTickets(worker)).message);
    const tickets = await this.deps.store.list({ requester: { channel: message.channel, userId: message.sender.id }, limit: STATUS_LISTED });
    const lines = tickets.map((ticket) => {
      const community = this.roster.community(ticket.community)?.name ?? ticket.community;
      const who = ticket.assignee && LIVE_STATUSES.includes(ticket.status) ? `，社区工作者${this.workerName(ticket.assignee)}负责` : '';
      return `${formatTicketId(ticket.id)} ${this.deps.categories.label(ticket.category)} · ${community} · ${STATUS_LABELS[ticket.status]}${who}`;
    });
    ctx.result.route = 'handoff';
    if (tickets[0]) ctx.result.ticket = ticketSummary(tickets[0]);
    const inGroup = message.conversation.kind === 'group';
    if (inGroup) {
      ctx.result.replies.push(replyTo(ctx, { text: say.statusSentDirect }));
      ctx.result.answer = say.statusSentDirect;
    }
    this.tellRequester(ctx, say.requesterTickets(lines, tickets.some((ticket) => LIVE_STATUSES.includes(ticket.status))), inGroup);
    return true;
  }

  private async workerMessage(ctx: MessageContext, worker: Worker): Promise<boolean> {
    const { message } = ctx;
    const command = parseWorkerCommand(message.text);
    if (command === 'malformed') {
      const words = wordsForTicket(message.text);
      return this.answerWorker(ctx, words ? say.replyHelp(words.ticketId, words.text) : say.commandHelp(ticketNumberIn(message.text)));
    }
    if (command) return this.answerWorker(ctx, (await this.runCommand(worker, command)).message);
    // "帮助", or a command word without the ticket ("接单"), said to the bot: the commands. (In a group,
    // what does not @ the bot never reaches it.)
    const text = message.text.trim();
    if (ASKS_FOR_COMMANDS.test(text)) return this.answerWorker(ctx, say.commandHelp(undefined, ''));
    if (ACTION_WITHOUT_TICKET.test(text)) return this.answerWorker(ctx, say.commandHelp(undefined, say.commandNeedsTicket));
    if (message.conversation.kind !== 'group') return false;
    // Staff chatter is not for the bot, and when a worker speaks in a group where a request is
    // live, the bot leaves the conversation to them.
    if (this.roster.staffGroupOf(message.conversation)) return !message.mentionsBot || this.quiet(ctx);
    const live = await this.deps.store.list({ status: LIVE_STATUSES, limit: 50 });
    if (live.some((ticket) => ticket.requester.channel === message.channel && ticket.requester.conversationId === message.conversation.id)) return this.quiet(ctx);
    return false;
  }

  private quiet(ctx: MessageContext): true {
    ctx.log.info('a community worker is handling this conversation: staying quiet');
    ctx.result.route = 'handoff';
    return true;
  }

  private answerWorker(ctx: MessageContext, text: string): true {
    ctx.result.route = 'handoff';
    ctx.result.answer = text;
    ctx.result.replies.push(replyTo(ctx, { text }));
    return true;
  }

  private draftKey(ctx: MessageContext): string {
    return `${ctx.message.channel}:${ctx.message.sender.id}`;
  }

  /** A draft continues in the conversation it started in, or in a direct chat when it moved there. */
  private draftApplies(ctx: MessageContext, draft: Draft): boolean {
    const { conversation } = ctx.message;
    return draft.requester.conversationId === conversation.id || (draft.privateChannel && conversation.kind === 'direct');
  }

  private async continueDraft(ctx: MessageContext): Promise<boolean> {
    const key = this.draftKey(ctx);
    // A request left half-filled for a day is over: the next message starts afresh.
    const draft = await this.deps.store.getDraft(key, draftsExpireBefore(this.deps.clock.now()));
    if (!draft || !this.draftApplies(ctx, draft)) return false;
    const text = ctx.message.text.trim();
    const matter = this.matterOf(draft.category);
    if (withdraws(text) || declinesOffer(text)) {
      await this.deps.store.deleteDraft(key);
      this.markHandoff(ctx, draft.category);
      this.tellRequester(ctx, say.draftCancelled, draft.privateChannel);
      return true;
    }
    // Something that cannot wait (thoughts of self-harm) is a request of its own, not an answer to this one.
    const urgentCategory = ctx.urgent?.category;
    if (urgentCategory && urgentCategory !== draft.category) {
      await this.deps.store.deleteDraft(key);
      ctx.postscript = say.draftDropped(matter);
      return false;
    }
    const named = draft.asking === 'community' ? this.roster.communitiesInText(text) : [];
    const community = named.length === 1 ? named[0] : undefined;
    // "谢谢", "好的", "你好", "有人吗" while the community is asked for: heard, and still asked.
    const heard = draft.asking === 'community' && (ACKNOWLEDGEMENT.test(text) || onlyGreets(text));
    // "不对，是热水器坏了" or "水管也漏了", said while the community is asked for, goes to the worker
    // with the request: the requester is still on it, so it is not a failed answer either.
    const adds = draft.asking === 'community' && !heard && !asksSomething(text) && !onlyAnswersWhere(text, named.flatMap(namesOf));
    const dispatcher = this.roster.dispatcher;
    // "不清楚", or a place no community covers said a second time ("在下沙"): the dispatcher takes it.
    const unplaced =
      draft.asking === 'community' &&
      dispatcher !== undefined &&
      !named.length &&
      !heard &&
      onlyAnswersWhere(text, []) &&
      (NOT_KNOWING.test(normalizeText(text)) || draft.attempts + 1 >= COMMUNITY_ASKS);
    if (draft.asking === 'community') {
      // "芯谷邻里中心在哪" names a place but is not where the requester is: answered, the draft waits.
      // So does "我想问下": the question it announces is invited, and answered when it comes.
      const announces = announcesQuestion(text) && !(draft.privateChannel && ctx.message.conversation.kind === 'group');
      if (announces || (await this.isOwnQuestion(ctx, draft.privateChannel, draft.attempts < COMMUNITY_ASKS))) {
        ctx.postscript = say.draftWaiting(matter);
        return false;
      }
      // Asked twice in vain: the requester has moved on, and the message is taken as it comes.
      if (!community && !adds && !heard && !unplaced && draft.attempts >= COMMUNITY_ASKS) {
        await this.deps.store.deleteDraft(key);
        ctx.postscript = say.draftDropped(matter);
        return false;
      }
    }
    this.markHandoff(ctx, draft.category);
    // "我真的不想活了" while a mental-health request is being filled in makes it urgent.
    if (ctx.urgent) await this.markUrgent(draft, text);
    draft.contact ??= findPhone(text);
    if (adds) draft.description = withDetail(draft.description, text);
    if (draft.asking === 'description') {
      if (!this.saysOnlyWhere(text)) {
        draft.description = text;
        this.categorize(ctx, draft);
      }
      draft.community ??= this.roster.communityInText(text)?.id ?? null;
    } else if (draft.asking === 'community') {
      if (unplaced) {
        draft.unplaced = text;
        draft.community = dispatcher!.community;
      } else if (!community) {
        if (!adds && !heard) draft.attempts++;
        await this.deps.store.saveDraft(key, draft, this.deps.clock.now());
        const examples = this.communityExamples();
        const again =
          named.length > 1
            ? say.askWhichCommunity(named.map((one) => one.name))
            : heard
              ? say.communityStillNeeded(THANKS.test(text), examples, Boolean(dispatcher))
              : adds
                ? say.detailNoted(examples)
                : !named.length && asksSomething(text)
                  ? say.askedBeforeCommunity(matter, examples, Boolean(dispatcher))
                  : say.askCommunityAgain(examples, Boolean(dispatcher));
        this.tellRequester(ctx, again, draft.privateChannel);
        return true;
      } else {
        draft.community = community.id;
      }
    }
    await this.advance(ctx, draft);
    return true;
  }

  /**
   * "转人工" is filed under 其他 until the requester says what about: "宿舍热水器坏了" makes it a
   * repair, for a worker who does repairs. Not a sensitive category in a group conversation: that
   * would have moved to a direct chat from the start.
   */
  private categorize(ctx: MessageContext, draft: Draft): void {
    if (draft.category !== FALLBACK_CATEGORY || !draft.description) return;
    const category = ctx.services.router.categoryOf(draft.description);
    if (this.deps.categories.isSensitive(category) && ctx.message.conversation.kind === 'group' && !draft.privateChannel) return;
    draft.category = category;
    this.markHandoff(ctx, category);
  }

  /** "我们公司在大创小镇" names a community and says nothing more: where, not what is wanted. */
  private saysOnlyWhere(text: string): boolean {
    const named = this.roster.communitiesInText(text);
    return named.length > 0 && onlyAnswersWhere(text, named.flatMap(namesOf));
  }

  private markHandoff(ctx: MessageContext, category: string): void {
    ctx.result.route = 'handoff';
    ctx.result.category = category;
  }

  /**
   * A question of its own asked while a request is open or being filled in: phrased as a question,
   * routed to the documents, and a passage has every word of it. Everything else the requester says
   * ("什么时候能处理", "我在芯谷，什么时候能来") belongs to the request. A private request's group is
   * never told about it, so there everything does. With `uncovered`, while the community is asked
   * for, a question the local router takes for one to the documents is its own though no passage
   * answers it: "培训要钱吗" is no place, and is told that the documents do not say.
   */
  private async isOwnQuestion(ctx: MessageContext, privateChannel: boolean, uncovered = false): Promise<boolean> {
    const text = ctx.message.text.trim();
    // "不知道是哪个社区？" answers where, as "不清楚" does.
    if ((privateChannel && ctx.message.conversation.kind === 'group') || !asksSomething(text) || NOT_KNOWING.test(normalizeText(text))) return false;
    // The local coverage check first: most follow-ups fail it, and then no model is asked to route them.
    if (!(await ctx.services.answerer.covers(text, 1))) {
      if (!uncovered || this.roster.communitiesInText(text).length || !ctx.services.router.asksTheDocuments(text)) return false;
      ctx.decision = { route: 'answer', category: null, confidence: 1, by: 'local' };
      return true;
    }
    const decision = await ctx.services.router.route(text, ctx.log);
    if (decision.route !== 'answer') return false;
    ctx.decision = decision;
    return true;
  }

  private async rateOrReopen(ctx: MessageContext): Promise<boolean> {
    const { message } = ctx;
    const text = message.text.trim();
    const rating = ratingIn(text);
    const notSolved = rating === undefined && NOT_SOLVED.test(text);
    if (rating === undefined && !notSolved) return false;
    // "还是没修好" after the rating too: a ticket closed in the last days, unless one is still live here.
    const [ticket] = await this.deps.store.list({ status: notSolved ? ['resolved', 'closed'] : ['resolved'], requester: { channel: message.channel, userId: message.sender.id }, limit: 1 });
    if (!ticket || !this.isRequesterConversation(ctx, ticket)) return false;
    const now = this.deps.clock.now();
    if (ticket.status === 'closed') {
      const resolved = ticket.resolvedAt ? Date.parse(ticket.resolvedAt) : 0;
      if (now.getTime() - resolved > REOPEN_CLOSED_MS || (await this.liveTickets(ctx)).length) return false;
    }
    ctx.result.route = 'handoff';
    ctx.result.category = ticket.category;
    if (rating === 'off-scale') {
      ctx.result.ticket = ticketSummary(ticket);
      this.tellRequester(ctx, say.ratingScale(ticket), ticket.privateChannel);
      return true;
    }
    if (rating !== undefined) {
      const score = rating;
      const closed = await this.deps.store.transition(ticket.id, {
        from: ['resolved'],
        to: 'closed',
        set: { rating: score },
        event: { actor: 'requester', type: 'rated', detail: { rating: score } },
        at: now,
      });
      if (!closed) return false;
      ctx.result.ticket = ticketSummary(closed);
      this.tellRequester(ctx, say.thanksForRating(score), closed.privateChannel);
      if (score <= 2) {
        const supervisor = this.roster.supervisorOf(closed.community);
        const worker = this.workerName(closed.assignee);
        if (supervisor) await this.notify(closed, 'low-rating', { kind: 'worker', workerId: supervisor.id }, say.lowRating(closed, score, worker));
      }
      return true;
    }
    const category = this.deps.categories.get(ticket.category);
    const reopened = await this.deps.store.transition(ticket.id, {
      from: ['resolved', 'closed'],
      to: 'reopened',
      set: {
        ...this.acceptDeadlines(category, ticket.assignee, now),
        remindedAt: null,
        escalatedAt: null,
        resolvedAt: null,
        // A rating of what was not done is no rating: it is asked again when the ticket is resolved.
        rating: null,
      },
      event: { actor: 'requester', type: 'reopened', detail: { text: mask(text) } },
      at: now,
    });
    if (!reopened) return false;
    ctx.result.ticket = ticketSummary(reopened);
    this.tellRequester(ctx, say.reopened(reopened, this.workerName(reopened.assignee)), reopened.privateChannel);
    if (reopened.assignee) await this.notify(reopened, 'reopened', { kind: 'worker', workerId: reopened.assignee }, say.reopenedForWorker(reopened));
    return true;
  }

  private isRequesterConversation(ctx: MessageContext, ticket: Ticket): boolean {
    const { conversation } = ctx.message;
    return ticket.requester.conversationId === conversation.id || (ticket.privateChannel && conversation.kind === 'direct');
  }

  /** The requester's live tickets from this conversation, newest first. */
  private async liveTickets(ctx: MessageContext): Promise<Ticket[]> {
    const { message } = ctx;
    const live = await this.deps.store.list({ status: LIVE_STATUSES, requester: { channel: message.channel, userId: message.sender.id }, limit: 5 });
    return live.filter((candidate) => this.isRequesterConversation(ctx, candidate));
  }

  /**
   * The requester's messages on a live ticket go to its worker (with two, to the one whose service
   * they are clearly about, else the newest's); a question of its own that the documents answer is
   * answered as well, and one clearly about another service is a matter of its own, as is anything
   * surely about a sensitive service told on a ticket that is not.
   */
  private async followUp(ctx: MessageContext): Promise<boolean> {
    const { message } = ctx;
    const live = await this.liveTickets(ctx);
    if (!live.length) return false;
    const text = message.text.trim();
    // With a repair and a training request open, "热水器还是不行" is for the repair worker.
    const about = ctx.services.router.clearCategoryOf(text);
    const ticket = live.find((candidate) => candidate.category === about) ?? live[0]!;
    // Thoughts of self-harm on a live repair are a request of their own, for a worker who does that.
    const urgentCategory = ctx.urgent?.category;
    if (urgentCategory && urgentCategory !== ticket.category) return false;
    // "我还想问下培训怎么报名" on a live repair asks about another matter: it is answered, or taken as
    // a request of its own, and not passed to the repair worker. A statement is for the worker:
    // "我在宿舍等着" tells the repair worker where to come, whatever it sounds like.
    if (asksSomething(text) && about !== FALLBACK_CATEGORY && about !== ticket.category) return false;
    // Unless it is surely a sensitive matter: "心里堵得慌" or "老板还欠我工资" on a plain ticket goes to a
    // worker who does that, in private ("师傅人很好" stays). On a sensitive ticket it stays with the
    // worker who already hears the requester's troubles ("心里很烦" on a wage dispute).
    const { categories } = this.deps;
    const elsewhere = about !== ticket.category && categories.isSensitive(about) && !categories.isSensitive(ticket.category);
    if (elsewhere && ctx.services.router.clearCategoryOf(text, true) === about) return false;
    const now = this.deps.clock.now();
    if (withdraws(text)) {
      const cancelled = await this.deps.store.transition(ticket.id, {
        from: LIVE_STATUSES,
        to: 'cancelled',
        event: { actor: 'requester', type: 'cancelled', detail: {} },
        at: now,
      });
      if (cancelled) {
        this.markHandoff(ctx, ticket.category);
        ctx.result.ticket = ticketSummary(cancelled);
        this.tellRequester(ctx, say.ticketCancelled(cancelled), cancelled.privateChannel);
        if (cancelled.assignee) await this.notify(cancelled, 'cancelled', { kind: 'worker', workerId: cancelled.assignee }, say.ticketCancelledForWorker(cancelled));
        return true;
      }
    }
    // "谢谢" for the registration is not news for the worker; "好的" after the worker's reply answers it.
    if (text && ACKNOWLEDGEMENT.test(text) && !(await this.deps.store.events(ticket.id)).some((event) => event.type === 'replied')) {
      this.markHandoff(ctx, ticket.category);
      ctx.result.ticket = ticketSummary(ticket);
      this.tellRequester(ctx, say.ticketInHand(ticket, ticket.assignee ? this.workerName(ticket.assignee) : undefined, THANKS.test(text)), ticket.privateChannel);
      return true;
    }
    // When it will be seen to is asked of this ticket, not of the documents.
    const asksWhen = ASKS_WHEN.test(text);
    const ownQuestion = !asksWhen && (await this.isOwnQuestion(ctx, ticket.privateChannel));
    await this.deps.store.addEvent(ticket.id, { actor: 'requester', type: 'requester-message', detail: { text } }, now);
    if (ticket.assignee) await this.notify(ticket, 'requester-message', { kind: 'worker', workerId: ticket.assignee }, say.followUpForWorker(ticket, text));
    if (ctx.urgent) await this.alertIfOffDuty(ticket, mask(text), now);
    if (ownQuestion) {
      ctx.postscript = say.followUpAlsoForwarded(ticket, this.workerName(ticket.assignee));
      return false;
    }
    this.markHandoff(ctx, ticket.category);
    ctx.result.ticket = ticketSummary(ticket);
    const noLongerNeeded = NO_LONGER_NEEDED.test(text) && !asksSomething(text);
    const progress = asksWhen ? this.progressOf(ticket, now) : '';
    this.tellRequester(ctx, say.followUpAcknowledged(ticket, this.workerName(ticket.assignee)) + progress + (noLongerNeeded ? say.cancelIfNotNeeded : ''), ticket.privateChannel);
    return true;
  }

  // ── A new service request ──

  async handle(ctx: MessageContext): Promise<void> {
    const { message, aboutQuestion: question } = ctx;
    const text = message.text.trim();
    const category = ctx.result.category ?? FALLBACK_CATEGORY;
    const privateChannel = moveSensitiveToDirect(ctx);
    const roomCommunity = message.conversation.kind === 'group' ? this.roster.communityOfRoom(message.conversation) : undefined;
    const draft: Draft = {
      category,
      // Someone with a request open is where that request is, unless they say otherwise.
      community: roomCommunity ?? this.roster.communityInText(text)?.id ?? (await this.liveTickets(ctx))[0]?.community ?? null,
      description: question ?? (asksForPerson(text) || acceptsOffer(text) || this.saysOnlyWhere(text) ? null : text),
      contact: findPhone(text),
      asking: null,
      requester: {
        channel: message.channel,
        conversationId: message.conversation.id,
        userId: message.sender.id,
        conversationKind: message.conversation.kind,
        userName: message.sender.name,
      },
      privateChannel,
      attempts: 0,
    };
    if (ctx.urgent) await this.markUrgent(draft, text);
    await this.advance(ctx, draft, privateChannel ? assistantReplies.directOpening : '', question);
  }

  /** At night the one who has an urgent ticket may not see it for hours: the urgent contact hears now. */
  private async alertIfOffDuty(ticket: Ticket, text: string, now: Date): Promise<boolean> {
    const assignee = ticket.assignee ? this.roster.worker(ticket.assignee) : undefined;
    const contact = this.roster.urgentContact;
    if (!assignee || !contact || contact.id === assignee.id || isOnDuty(assignee, now)) return false;
    const communityName = this.roster.community(ticket.community)?.name ?? ticket.community;
    await this.notify(ticket, 'urgent', { kind: 'worker', workerId: contact.id }, say.urgentOffDuty(ticket, this.deps.categories.label(ticket.category), communityName, assignee.name, text));
    return true;
  }

  /** Someone who may be in danger does not wait on "where are you": the urgent contact hears now. */
  private async markUrgent(draft: Draft, text: string): Promise<void> {
    if (draft.urgent) return;
    const contact = draft.community ? undefined : this.roster.urgentContact;
    if (contact) await this.deps.notifier.notify({ ticketId: null, kind: 'urgent', to: { kind: 'worker', workerId: contact.id }, text: say.urgentForContact(this.deps.categories.label(draft.category), draft.requester, mask(text)) });
    draft.urgent = { contactAlerted: Boolean(contact) };
  }

  /**
   * Asks for the next missing detail, one question at a time, or opens the ticket. `carried` is what
   * the requester said before asking for a person, which the request is about.
   */
  private async advance(ctx: MessageContext, draft: Draft, opening = '', carried?: string): Promise<void> {
    const key = this.draftKey(ctx);
    const now = this.deps.clock.now();
    if (!draft.description || !draft.community) {
      draft.asking = !draft.description ? 'description' : 'community';
      await this.deps.store.saveDraft(key, draft, now);
      // A request naming two communities ("住白杨，在医药港上班") is asked which one, by name.
      const named = this.roster.communitiesInText(draft.description ?? '');
      const question =
        draft.asking === 'description'
          ? say.askDescription
          : named.length > 1
            ? say.askWhichCommunity(named.map((one) => one.name))
            : carried !== undefined
              ? say.askCommunityForCarried(asksSomething(carried))
              : say.askCommunity(this.matterOf(draft.category));
      this.tellRequester(ctx, opening + question, draft.privateChannel);
      return;
    }
    await this.deps.store.deleteDraft(key);
    const ticket = await this.open(draft);
    ctx.result.ticket = ticketSummary(ticket);
    const category = this.deps.categories.get(ticket.category);
    const community = this.roster.community(ticket.community)?.name ?? ticket.community;
    const assignee = ticket.assignee ? this.roster.worker(ticket.assignee) : undefined;
    // At night nobody calls back within minutes: the requester is told when, and what to do meanwhile —
    // or, when someone may be in danger, that the one on call round the clock has been told.
    const onCall = draft.urgent?.contactAlerted ? this.roster.urgentContact : undefined;
    const offDuty = assignee && !isOnDuty(assignee, this.deps.clock.now());
    const when = offDuty ? (onCall ? say.onCallPromise(onCall.name) : say.offDutyPromise(assignee.name)) : say.onDutyPromise(category.acceptMinutes);
    const label = this.deps.categories.label(ticket.category);
    const created = draft.unplaced ? say.createdUnplaced(ticket, label, this.workerName(ticket.assignee), when) : say.created(ticket, label, community, this.workerName(ticket.assignee), when);
    this.tellRequester(ctx, opening + created, draft.privateChannel);
  }

  /**
   * When a ticket given to `assigneeId` must be accepted, and when the supervisor hears it was not:
   * counted from when the assignee is next on duty, as the requester was promised — or from now,
   * when someone may be in danger.
   */
  private acceptDeadlines(category: Category, assigneeId: string | null, now: Date, urgent = false): { acceptDueAt: string; escalateDueAt: string } {
    const assignee = assigneeId && !urgent ? this.roster.worker(assigneeId) : undefined;
    const start = assignee ? nextOnDuty(assignee, now) : now;
    return { acceptDueAt: addMinutes(start, category.acceptMinutes), escalateDueAt: addMinutes(start, category.acceptMinutes + category.escalateAfterMinutes) };
  }

  /** Creates, assigns and announces a ticket. */
  async open(draft: Draft): Promise<Ticket> {
    const { store, clock, categories } = this.deps;
    const now = clock.now();
    const requester: RequesterAddress = draft.requester;
    const created = await store.create(
      { category: draft.category, community: draft.community!, description: draft.description!, contact: draft.contact, requester, privateChannel: draft.privateChannel },
      now,
      'requester',
    );
    const category = categories.get(created.category);
    const dispatcher = draft.unplaced !== undefined ? this.roster.dispatcher : undefined;
    const assignment = dispatcher
      ? { worker: dispatcher, reason: say.unplacedReason(created, draft.unplaced!) }
      : await chooseAssignee({ community: created.community, category }, this.roster, store, clock);
    if (!assignment) {
      this.deps.logger.error({ ticket: created.id, community: created.community }, 'no worker and no supervisor for this community: ticket stays new');
      return created;
    }
    const deadlines = this.acceptDeadlines(category, assignment.worker.id, now, Boolean(draft.urgent));
    const ticket = (await store.transition(created.id, {
      from: ['new'],
      to: 'assigned',
      set: { assignee: assignment.worker.id, assignmentReason: assignment.reason, ...deadlines },
      event: { actor: 'system', type: 'assigned', detail: { assignee: assignment.worker.id, reason: assignment.reason } },
      at: now,
    }))!;
    const communityName = this.roster.community(ticket.community)?.name ?? ticket.community;
    await this.notify(ticket, 'new-ticket', { kind: 'worker', workerId: assignment.worker.id }, say.newTicketForWorker(ticket, category.label, communityName, assignment.reason));
    if (draft.urgent && !draft.urgent.contactAlerted) draft.urgent.contactAlerted = await this.alertIfOffDuty(ticket, mask(ticket.description), now);
    if (category.toSupervisor) return ticket; // not for the staff group: the complaint may be about one of them
    await this.notify(
      ticket,
      'new-ticket',
      { kind: 'staff-group', community: ticket.community },
      say.newTicketForStaff(ticket, category.label, communityName, category.acceptMinutes, mask(ticket.description), deadlines.acceptDueAt !== addMinutes(now, category.acceptMinutes)),
      [assignment.worker.id],
    );
    return ticket;
  }

  // ── Worker actions: the same for chat commands and the console ──

  async runCommand(worker: Worker, command: WorkerCommand): Promise<ActionOutcome> {
    switch (command.kind) {
      case 'mine':
        return this.myTickets(worker);
      case 'accept':
        return this.accept(command.ticketId, worker.id);
      case 'reply':
        return this.reply(command.ticketId, worker.id, command.text);
      case 'transfer':
        return this.transfer(command.ticketId, worker.id, command.target);
      case 'resolve':
        return this.resolve(command.ticketId, worker.id);
    }
  }

  async myTickets(worker: Worker): Promise<ActionOutcome> {
    const tickets = await this.deps.store.list({ assignee: worker.id, status: LIVE_STATUSES });
    const lines = tickets.map(
      (ticket) => `${formatTicketId(ticket.id)} ${this.deps.categories.label(ticket.category)} · ${STATUS_LABELS[ticket.status]} · ${ticket.description.slice(0, 30)}`,
    );
    return { ok: true, message: say.myTickets(lines) };
  }

  /** Loads a ticket and checks the worker may act on it. */
  private async authorize(ticketId: number, workerId: string, mode: 'community' | 'assignee'): Promise<{ ticket: Ticket; worker: Worker } | ActionOutcome> {
    const worker = this.roster.worker(workerId);
    const ticket = await this.deps.store.get(ticketId);
    if (!ticket || !worker) return { ok: false, message: say.unknownTicket(ticketId) };
    const supervisor = this.roster.supervisorOf(ticket.community)?.id === worker.id;
    if (mode === 'community' && worker.community !== ticket.community && !supervisor) return { ok: false, message: say.notYourCommunity(ticket) };
    if ((mode === 'assignee' && ticket.assignee !== worker.id && !supervisor) || hiddenFrom(ticket, worker.id, this.roster, this.deps.categories)) {
      return { ok: false, message: say.notYours(ticket, this.workerName(ticket.assignee)) };
    }
    return { ticket, worker };
  }

  async accept(ticketId: number, workerId: string): Promise<ActionOutcome> {
    const found = await this.authorize(ticketId, workerId, 'community');
    if ('ok' in found) return found;
    const { ticket, worker } = found;
    const now = this.deps.clock.now();
    const category = this.deps.categories.get(ticket.category);
    const accepted = await this.deps.store.transition(ticket.id, {
      from: ACCEPTABLE_STATUSES,
      to: 'accepted',
      set: { assignee: worker.id, resolveDueAt: addMinutes(now, category.resolveHours * 60), resolveAlertedAt: null },
      event: { actor: worker.id, type: 'accepted', detail: { assignee: worker.id } },
      at: now,
    });
    if (!accepted) {
      const current = (await this.deps.store.get(ticket.id))!;
      if (current.status === 'accepted') return { ok: false, message: say.alreadyTaken(current, this.workerName(current.assignee)), ticket: current };
      return { ok: false, message: say.notOpen(current, STATUS_LABELS[current.status]), ticket: current };
    }
    await this.toRequester(accepted, 'accepted', say.acceptedForRequester(accepted, worker.name));
    return { ok: true, message: say.acceptedForWorker(accepted), ticket: accepted };
  }

  async reply(ticketId: number, workerId: string, text: string): Promise<ActionOutcome> {
    if (!text.trim()) return { ok: false, message: say.emptyReply(ticketId) };
    const found = await this.authorize(ticketId, workerId, 'assignee');
    if ('ok' in found) return found;
    let { ticket } = found;
    const { worker } = found;
    if (ticket.status === 'assigned' || ticket.status === 'reopened') {
      // Answering is taking the ticket on.
      const accepted = await this.accept(ticket.id, worker.id);
      if (!accepted.ok) return accepted;
      ticket = accepted.ticket!;
    }
    if (ticket.status !== 'accepted') return { ok: false, message: say.notOpen(ticket, STATUS_LABELS[ticket.status]), ticket };
    await this.deps.store.addEvent(ticket.id, { actor: worker.id, type: 'replied', detail: { text } }, this.deps.clock.now());
    await this.toRequester(ticket, 'reply', say.relayed(worker.name, ticket, text));
    return { ok: true, message: say.replySent(ticket), ticket };
  }

  async transfer(ticketId: number, workerId: string, target: string): Promise<ActionOutcome> {
    const found = await this.authorize(ticketId, workerId, 'assignee');
    if ('ok' in found) return found;
    const { ticket, worker } = found;
    const to = this.roster.findWorker(target);
    if (!to) return { ok: false, message: say.unknownWorker(target), ticket };
    const now = this.deps.clock.now();
    const category = this.deps.categories.get(ticket.category);
    const transferred = await this.deps.store.transition(ticket.id, {
      from: LIVE_STATUSES,
      to: 'assigned',
      set: {
        // Given to a worker of another community ("医药港" for a request the dispatcher took), it is theirs.
        community: to.community,
        assignee: to.id,
        assignmentReason: `由${worker.name}转办`,
        ...this.acceptDeadlines(category, to.id, now),
        remindedAt: null,
        escalatedAt: null,
        resolveDueAt: null,
        resolveAlertedAt: null,
      },
      event: { actor: worker.id, type: 'transferred', detail: { from: ticket.assignee, assignee: to.id } },
      at: now,
    });
    if (!transferred) return { ok: false, message: say.notOpen(ticket, STATUS_LABELS[ticket.status]), ticket };
    const communityName = this.roster.community(transferred.community)?.name ?? transferred.community;
    await this.notify(transferred, 'transferred', { kind: 'worker', workerId: to.id }, say.transferredToYou(transferred, worker.name, category.label, communityName));
    return { ok: true, message: say.transferred(transferred, to.name), ticket: transferred };
  }

  async resolve(ticketId: number, workerId: string): Promise<ActionOutcome> {
    const found = await this.authorize(ticketId, workerId, 'assignee');
    if ('ok' in found) return found;
    const { ticket, worker } = found;
    const now = this.deps.clock.now();
    const resolved = await this.deps.store.transition(ticket.id, {
      from: ['accepted', 'assigned', 'reopened'],
      to: 'resolved',
      set: { resolvedAt: now.toISOString() },
      event: { actor: worker.id, type: 'resolved', detail: {} },
      at: now,
    });
    if (!resolved) return { ok: false, message: say.notOpen(ticket, STATUS_LABELS[ticket.status]), ticket };
    await this.toRequester(resolved, 'rating-request', say.askRating(resolved));
    return { ok: true, message: say.resolvedForWorker(resolved), ticket: resolved };
  }

  // ── Delivery ──

  /** Sends to where the request was made: @ the requester in a group, directly in a direct chat. */
  private async toRequester(ticket: Ticket, kind: string, text: string): Promise<void> {
    const requester = ticket.requester;
    const inGroup = requester.conversationKind === 'group' && !ticket.privateChannel;
    const address = inGroup
      ? { channel: requester.channel, conversationId: requester.conversationId, userId: requester.userId ?? '', conversationKind: 'group' as const }
      : { channel: requester.channel, conversationId: ticket.privateChannel ? (requester.userId ?? requester.conversationId) : requester.conversationId, userId: requester.userId ?? '', conversationKind: 'direct' as const };
    // Nothing personal is repeated in a group.
    await this.notify(ticket, kind, { kind: 'address', address }, inGroup ? mask(text) : text, inGroup && requester.userId ? [requester.userId] : []);
  }

  private async notify(ticket: Ticket, kind: string, to: Recipient, text: string, mentions: string[] = []): Promise<void> {
    await this.deps.notifier.notify({ ticketId: ticket.id, kind, to, text, mentions });
  }

  private tellRequester(ctx: MessageContext, text: string, direct: boolean): void {
    const reply: Reply = replyTo(ctx, { text, ...(direct && { direct: true }) });
    ctx.result.replies.push(reply);
    // In a group, a request moved to a direct chat shows only the short line already added.
    if (!direct || ctx.message.conversation.kind === 'direct') ctx.result.answer = text;
    else ctx.result.answer ||= text;
    ctx.emit({ type: 'text-delta', text });
  }

  /** What the requester is registering, as said in a sentence: "报修", or "这件事" for the fallback category. */
  private matterOf(category: string): string {
    return category === FALLBACK_CATEGORY ? '这件事' : this.deps.categories.label(category);
  }

  /**
   * Where a live ticket stands, for a requester asking when: taken on; waiting, and for how much longer
   * of the time promised; past it, and who has been told; or the worker's shift not yet begun.
   */
  private progressOf(ticket: Ticket, now: Date): string {
    if (ticket.status === 'accepted') return say.progressAccepted;
    // Reopened, it is to be taken on again, on a new clock.
    if (!ACCEPTABLE_STATUSES.includes(ticket.status) || !ticket.acceptDueAt) return '';
    const assignee = ticket.assignee ? this.roster.worker(ticket.assignee) : undefined;
    if (assignee && !isOnDuty(assignee, now)) {
      // A clock that runs before the shift does was started for someone who may be in danger, and the
      // urgent contact told.
      const onCall = Date.parse(ticket.acceptDueAt) < nextOnDuty(assignee, now).getTime() ? this.roster.urgentContact : undefined;
      return onCall ? say.onCallPromise(onCall.name) : say.offDutyPromise(assignee.name);
    }
    const minutesLeft = Math.ceil((Date.parse(ticket.acceptDueAt) - now.getTime()) / 60_000);
    return minutesLeft > 0 ? say.progressWaiting(minutesLeft) : say.progressOverdue(Boolean(ticket.remindedAt), Boolean(ticket.escalatedAt));
  }

  private workerName(id: string | null): string {
    return (id && this.roster.worker(id)?.name) || '社区工作者';
  }

  private communityExamples(): string {
    return this.roster.data.communities.map((community) => community.aliases[community.aliases.length - 1] ?? community.name).slice(0, 4).join('、');
  }
}

export function addMinutes(date: Date, minutes: number): string {
  return new Date(date.getTime() + minutes * 60_000).toISOString();
}
