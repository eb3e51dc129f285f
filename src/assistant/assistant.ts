import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { ChatModel } from '../llm/chat-model.ts';
import type { Prompts } from '../llm/prompts.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { toSimplified } from '../retrieval/text.ts';
import type { Answerer } from './answerer.ts';
import { asksWhatItIs, namesAValue, QUESTION_WORD, withoutWhoAndWhereIAm } from './grounding.ts';
import { FALLBACK_CATEGORY, type Categories } from './categories.ts';
import { carryOverTopic, isFollowUp, questionsIn, type AskedQuestion } from './follow-up.ts';
import { KeyedQueue } from './keyed-queue.ts';
import { emptySession, type KeyValueStore, type Session } from './memory.ts';
import { compose, type Step } from './pipeline.ts';
import type { QuestionLog } from './question-log.ts';
import { greetingReply, replies } from './replies.ts';
import { acceptsOffer, asksForPerson, asksSomething, findsFault, withoutCourtesies, writtenInLatin, type Router } from './router.ts';
import type { AnswerEvent, AssistantResult, Citation, InboundMessage, Reply, RouteDecision } from './types.ts';
import type { UrgentSituation, UrgentSituations } from './urgent.ts';

/** Handles a service request; the handoff desk implements it with tickets. */
export interface HandoffHandler {
  /**
   * A follow-up on a live ticket or a request being filled in: handled here instead of answered
   * (true). A question of its own that the documents answer goes on to be answered (false), with
   * `ctx.postscript` saying what became of the request.
   */
  intercept?(ctx: MessageContext): Promise<boolean>;
  handle(ctx: MessageContext): Promise<void>;
  /** A community worker, or anyone in a staff group: they talk about people's troubles, not their own. */
  isStaff?(message: InboundMessage): boolean;
}

export type AssistantServices = {
  answerer: Answerer;
  router: Router;
  tokenizer: Tokenizer;
  categories: Categories;
  urgent: UrgentSituations;
  store: KeyValueStore;
  questionLog: QuestionLog;
  clock: Clock;
  logger: Logger;
  handoff: HandoffHandler;
  model?: { chat: ChatModel; prompts: Prompts } | undefined;
  memoryTtlSeconds: number;
};

/** What `ask --json` and `POST /api/chat` return: the decision, the answer and the ticket. */
export function publicResult(result: AssistantResult) {
  return { route: result.route, category: result.category, answer: result.answer, citations: result.citations, ticket: result.ticket };
}

/** Everything one message needs, built per message and passed through every step. */
export type MessageContext = {
  message: InboundMessage;
  session: Session;
  log: Logger;
  services: AssistantServices;
  /** The standalone question after follow-up rewriting. */
  question: string;
  /** For a follow-up, the question it leans on (see `Session.topic`). */
  topic?: string;
  decision?: RouteDecision;
  result: AssistantResult & { ignored?: 'duplicate' };
  relevance: number | null;
  answered: boolean;
  /** A line added after the answer: a request of the sender's is still open or being filled in. */
  postscript?: string;
  /** The message says someone may be in danger (set before routing; never for staff). */
  urgent?: UrgentSituation;
  /** The question a bare request for a person is about: the one answered, or not, just before. */
  aboutQuestion?: string;
  emit: (event: AnswerEvent) => void;
};

const MAX_TURNS = 10;
const DEDUPE_TTL_SECONDS = 24 * 3600;

export function sessionKey(message: InboundMessage): string {
  return `session:${message.channel}:${message.conversation.id}:${message.sender.id}`;
}

/** Replies go @ the sender in a group, plainly in a direct chat. */
export function replyTo(ctx: MessageContext, reply: Omit<Reply, 'mentions'>): Reply {
  const inGroup = ctx.message.conversation.kind === 'group' && !reply.direct;
  return { ...reply, ...(inGroup && { mentions: [ctx.message.sender.id] }) };
}

const dedupe: Step<MessageContext> = async function dedupe(ctx, next) {
  const first = await ctx.services.store.setIfAbsent(`seen:${ctx.message.channel}:${ctx.message.id}`, 1, DEDUPE_TTL_SECONDS);
  if (!first) {
    ctx.log.info('duplicate message ignored');
    ctx.result.ignored = 'duplicate';
    return;
  }
  await next();
};

/** A link alone ("https://…") is no more readable than a picture: nothing in it can be looked up. */
const ONLY_LINKS = /^(?:\s*https?:\/\/\S+)+\s*$/i;

/** A voice note or a picture in a direct chat, or a link alone: the bot reads text only, and says so rather than nothing. */
const textOnly: Step<MessageContext> = async function textOnly(ctx, next) {
  const media = ctx.message.media ?? (ONLY_LINKS.test(ctx.message.text) ? 'link' : undefined);
  if (!media) return next();
  say(ctx, 'greeting', replies.textOnly(media));
};

const session: Step<MessageContext> = async function session(ctx, next) {
  const key = sessionKey(ctx.message);
  ctx.session = (await ctx.services.store.get<Session>(key)) ?? emptySession();
  await next();
  const at = ctx.services.clock.now().toISOString();
  ctx.session.turns.push({ role: 'user', text: ctx.message.text, at });
  if (ctx.result.answer) ctx.session.turns.push({ role: 'assistant', text: ctx.result.answer, at });
  ctx.session.turns = ctx.session.turns.slice(-MAX_TURNS);
  // A request that asks something of what the documents are about ("蓝领公寓怎么申请") is a topic too:
  // "要钱吗" asked while it is filled in asks it of 蓝领公寓. A trouble ("热水器坏了，能不能派人修") is not.
  const askingRequest = ctx.decision?.route === 'handoff' && QUESTION_WORD.test(ctx.question) && ctx.services.tokenizer.termsIn(ctx.question).length > 0;
  if (ctx.result.route === 'answer' || ctx.result.route === 'no_answer' || askingRequest) {
    ctx.session.lastQuestion = ctx.question;
    ctx.session.topic = ctx.topic ?? ctx.question;
  }
  if (ctx.result.category) ctx.session.lastCategory = ctx.result.category;
  ctx.session.lastRoute = ctx.result.route;
  await ctx.services.store.set(key, ctx.session, ctx.services.memoryTtlSeconds);
};

/**
 * Someone may be in danger: what to do right now is said before anything else the message gets, and
 * a situation that needs a person (thoughts of self-harm) opens a request whatever the router says.
 * In a group, advice on something personal goes to the sender alone, in a direct chat.
 */
const urgent: Step<MessageContext> = async function urgent(ctx, next) {
  const situation = ctx.services.urgent.find(ctx.message.text);
  if (!situation || ctx.services.handoff.isStaff?.(ctx.message)) return next();
  ctx.log.warn({ situation: situation.name }, 'urgent situation');
  ctx.urgent = situation;
  if (situation.category) ctx.decision = { route: 'handoff', category: situation.category, confidence: 1, by: 'rule' };
  const advice = situation.reply;
  if (ctx.message.conversation.kind === 'group' && ctx.services.categories.isSensitive(situation.category)) {
    await next();
    ctx.result.replies.unshift({ text: advice, direct: true });
    return;
  }
  ctx.emit({ type: 'text-delta', text: `${advice}\n` });
  await next();
  const first = ctx.result.replies.find((reply) => !reply.direct);
  if (first) first.text = `${advice}\n${first.text}`;
  else ctx.result.replies.unshift(replyTo(ctx, { text: advice }));
  ctx.result.answer = ctx.result.answer ? `${advice}\n${ctx.result.answer}` : advice;
};

const handoffGate: Step<MessageContext> = async function handoffGate(ctx, next) {
  if (await ctx.services.handoff.intercept?.(ctx)) return;
  await next();
  const last = ctx.result.replies.at(-1);
  if (!ctx.postscript || !last) return;
  const line = `\n${ctx.postscript}`;
  last.text += line;
  ctx.result.answer += line;
  ctx.emit({ type: 'text-delta', text: line });
};

/**
 * "转人工" right after a question, answered or not ("…回复"转人工"，社区工作者会为你查询"), or
 * declined as beyond the bot ("这个我帮不上忙…或者帮你联系社区工作者"), is about that question: the
 * worker is to look into it, and the requester need not say it again. So is "需要" when the reply
 * offered a person.
 */
const carryQuestion: Step<MessageContext> = async function carryQuestion(ctx, next) {
  const { session, message } = ctx;
  const [asked, replied] = session.turns.slice(-2);
  const offered = replied?.role === 'assistant' && replied.text.includes('转人工');
  const question =
    session.lastRoute === 'answer' || session.lastRoute === 'no_answer'
      ? session.lastQuestion
      : session.lastRoute === 'out_of_scope' && asked?.role === 'user'
        ? asked.text
        : undefined;
  if (!ctx.decision && question && (asksForPerson(message.text) || (offered && acceptsOffer(message.text)))) {
    ctx.aboutQuestion = question;
    // Its category only when it is clearly about a service: "融治理是什么" is no 心理关怀 request.
    ctx.decision = { route: 'handoff', category: ctx.services.router.serviceOf(question), confidence: 1, by: 'rule' };
  }
  await next();
};

/**
 * "你回答的不对", "答非所问" right after an answer: that question is still unanswered. The reply says
 * sorry and offers a person; the question stays the one "转人工" carries, and the question log lists it
 * as unanswered, where the insights page shows what the documents lack.
 */
const faultFound: Step<MessageContext> = async function faultFound(ctx, next) {
  const { session, message } = ctx;
  const answered = session.lastRoute === 'answer' || session.lastRoute === 'no_answer';
  if (ctx.decision || !answered || !session.lastQuestion || !findsFault(message.text)) return next();
  ctx.question = session.lastQuestion;
  if (session.topic) ctx.topic = session.topic;
  ctx.decision = { route: 'answer', category: null, confidence: 1, by: 'rule' };
  ctx.result.route = 'no_answer';
  ctx.result.answer = replies.faultFound;
  ctx.result.replies.push(replyTo(ctx, { text: replies.faultFound }));
  ctx.emit({ type: 'text-delta', text: replies.faultFound });
};

const rewrite: Step<MessageContext> = async function rewrite(ctx, next) {
  const last = ctx.session.lastQuestion;
  const { tokenizer } = ctx.services;
  // A question the handoff desk let through (asked while a request is filled in) may lean on the topic too.
  if ((!ctx.decision || ctx.decision.route === 'answer') && last && isFollowUp(ctx.message.text, tokenizer)) {
    const carried = carryOverTopic(ctx.message.text, ctx.session.topic ?? last, tokenizer);
    ctx.question = carried.question;
    ctx.topic = carried.topic;
    const model = ctx.services.model;
    if (model) {
      try {
        const history = ctx.session.turns.map((turn) => `${turn.role === 'user' ? '用户' : '小融'}：${turn.text}`).join('\n');
        const rewritten = (await model.chat.complete([{ role: 'system', content: model.prompts.render('rewrite', { history, question: ctx.message.text }) }])).trim();
        if (rewritten && rewritten.length <= 200) ctx.question = ctx.topic = rewritten;
      } catch (error) {
        ctx.log.warn({ err: error }, 'model rewrite failed: carrying the last topic over');
      }
    }
    // A follow-up on an answered topic is a question, whatever its words look like.
    ctx.decision = { route: 'answer', category: null, confidence: 1, by: 'rule' };
    ctx.log.debug({ question: ctx.question }, 'follow-up rewritten');
  }
  await next();
};

const route: Step<MessageContext> = async function route(ctx, next) {
  ctx.decision ??= await ctx.services.router.route(ctx.question, ctx.log);
  // "煤气泄漏" is no hello and no matter beyond the district: someone may be in danger, and a person is told.
  if (ctx.urgent && (ctx.decision.route === 'greeting' || ctx.decision.route === 'out_of_scope')) {
    ctx.decision = { route: 'handoff', category: ctx.services.router.categoryOf(ctx.question), confidence: 1, by: 'rule' };
  }
  ctx.log.info({ route: ctx.decision.route, category: ctx.decision.category, by: ctx.decision.by }, 'routed');
  await next();
};

const respond: Step<MessageContext> = async function respond(ctx) {
  const decision = ctx.decision!;
  switch (decision.route) {
    case 'greeting':
      return say(ctx, 'greeting', greetingReply(ctx.message.text));
    case 'out_of_scope':
      return say(ctx, 'out_of_scope', writtenInLatin(ctx.message.text) ? replies.chineseOnly : replies.outOfScope);
    case 'handoff': {
      const aside = await askedAside(ctx);
      // Nor is that question what the request is about: "工资被拖欠了，帮我找人调解，顺便问下邻里中心有几个"
      // had been filed under housing. The local classifier decides on the rest; a model read it all.
      const category = aside && decision.by === 'local' ? undefined : decision.category;
      ctx.result.category = category ?? ctx.services.router.categoryOf(aside ? aside.clauses.reduce((rest, clause) => rest.replace(clause, ''), ctx.question) : ctx.message.text);
      ctx.result.route = 'handoff';
      await ctx.services.handoff.handle(ctx);
      if (aside) ctx.result.answer = `${aside.text}\n${ctx.result.answer}`;
      return;
    }
    case 'answer': {
      const request = await unaskedRequest(ctx);
      if (request) {
        ctx.result.category = request;
        ctx.result.route = 'handoff';
        return ctx.services.handoff.handle(ctx);
      }
      // A follow-up rewritten with its topic ("那下沙的呢，邻里中心一共有多少房间") is one question.
      const { router, tokenizer } = ctx.services;
      return answer(ctx, ctx.topic === undefined ? questionsIn(ctx.question, tokenizer, (question) => router.asksTheDocuments(question)) : [{ asked: ctx.question, question: ctx.question }]);
    }
  }
};

const CITATION_MARKER = /\[(\d+)\]/g;
/** A sentence as said, whatever its citation numbers and spacing. */
const said = (sentence: string) => sentence.replace(CITATION_MARKER, '').replace(/\s/g, '');

/**
 * Answers each question of the message on its own, one after another. A sentence one answer already
 * gave is not said again ("有没有培训，怎么报名": both find the sentence on how to sign up), and the
 * citations are numbered as one list. Answered when any of them is; its relevance is the least of theirs.
 */
async function answer(ctx: MessageContext, questions: AskedQuestion[]): Promise<void> {
  const emit = (text: string) => ctx.emit({ type: 'text-delta', text });
  const several = questions.length > 1;
  const texts: string[] = [];
  const citations: Citation[] = [];
  const sentences = new Set<string>();
  const steps = new Set<string>();
  for (const { asked, question } of questions) {
    // The first answer streams as it is written (a model's takes a while); the others go out as they
    // are composed. The result, which channels show in the end, is what counts.
    const first = texts.length === 0 && sentences.size === 0;
    const outcome = await ctx.services.answerer.answer(withoutWhoAndWhereIAm(question, ctx.services.tokenizer), first ? emit : () => {}, ctx.log);
    // Of several questions, the one the documents say nothing about is named.
    if (several && outcome.via === 'none' && outcome.text === replies.noAnswer) outcome.text = replies.noAnswerAbout(asked.replace(/[？?。！!]+$/, ''));
    // Nor is anything to be looked up for what is only said.
    else if (outcome.via === 'none' && outcome.text === replies.noAnswer && !asksSomething(asked)) outcome.text = replies.noAnswerToStatement;
    if (ctx.relevance === null || (outcome.relevance !== null && outcome.relevance < ctx.relevance)) ctx.relevance = outcome.relevance;
    if (outcome.unmentioned) ctx.result.unmentioned ??= outcome.unmentioned;
    if (outcome.notStated) ctx.result.notStated ??= outcome.notStated;
    ctx.answered ||= outcome.answered;
    const step = nextStep(ctx, question, outcome);
    if (step) steps.add(step);
    const kept = outcome.text.split(/(?<=[。！？!?])/).filter((sentence) => !sentences.has(said(sentence)));
    kept.forEach((sentence) => sentences.add(said(sentence)));
    const text = kept.join('');
    if (!said(text)) continue;
    texts.push(numbered(text, outcome.citations, citations));
    if (!first) emit(`\n${texts.at(-1)}`);
  }
  const after = [...steps].map((step) => `\n${step}`).join('');
  if (after) emit(after);
  ctx.result.relevance = ctx.relevance;
  ctx.result.route = ctx.answered ? 'answer' : 'no_answer';
  ctx.result.answer = texts.join('\n') + after;
  ctx.result.citations = citations;
  ctx.result.replies.push(replyTo(ctx, { text: ctx.result.answer, citations }));
  ctx.emit({ type: 'citations', citations });
}

/**
 * One answer's text with its citations numbered as those of the whole reply, which `citations` holds
 * and gains: a passage cited twice keeps its first number; an FAQ answer, which marks none, cites its entry.
 */
function numbered(text: string, cited: Citation[], citations: Citation[]): string {
  const marked = new Set([...text.matchAll(CITATION_MARKER)].map((match) => Number(match[1])));
  const numbers = new Map<number, number>();
  for (const citation of cited.filter((one) => !marked.size || marked.has(one.n))) {
    const same = citations.find((one) => one.source === citation.source && one.section === citation.section);
    numbers.set(citation.n, same?.n ?? citations.push({ ...citation, n: citations.length + 1 }));
  }
  return text.replace(CITATION_MARKER, (marker, n: string) => (numbers.has(Number(n)) ? `[${numbers.get(Number(n))}]` : marker));
}

/**
 * "宿舍空调坏了，帮忙派人修一下，顺便问下邻里中心有几个": the request is taken, and the question asked
 * beside it, when the documents answer it, is answered first, in a reply of its own; when they are
 * about it and do not state the value asked ("我要报名技能培训，培训要钱吗"), that is said, and that the
 * worker can be asked. Each question asked beside it is: "……邻里中心还有房吗？房租怎么算？" had heard
 * nothing of the rent. Returns the questions and what was said of them.
 */
async function askedAside(ctx: MessageContext): Promise<{ clauses: string[]; text: string } | undefined> {
  if (ctx.urgent) return undefined;
  const { router, answerer, tokenizer } = ctx.services;
  const clauses = ctx.question.split(/[，,；;。！!？?\s]+/).filter(Boolean);
  if (clauses.length < 2) return undefined;
  const asked: string[] = [];
  const texts: string[] = [];
  const citations: Citation[] = [];
  for (const clause of clauses) {
    if (!asksSomething(clause) || !router.asksTheDocuments(clause)) continue;
    // The same text for both: the answerer keeps the evidence of the question it was last asked.
    const question = withoutWhoAndWhereIAm(clause, tokenizer);
    const outcome = await answerer.answer(question, () => {}, ctx.log);
    const text = outcome.answered ? numbered(outcome.text, outcome.citations, citations) : outcome.notStated && replies.notStatedBeside(outcome.notStated);
    if (!text || texts.some((one) => said(one) === said(text))) continue;
    asked.push(clause);
    texts.push(text);
  }
  if (!texts.length) return undefined;
  const text = texts.join('\n');
  ctx.result.replies.push(replyTo(ctx, { text, citations }));
  ctx.result.citations = citations;
  ctx.emit({ type: 'text-delta', text: `${text}\n` });
  ctx.emit({ type: 'citations', citations });
  return { clauses: asked, text };
}

/**
 * How much of what is said, rather than asked, the documents must hold for it to be taken as a topic
 * to answer about: "邻里中心的房源" (all of it), "企业想了解社企共建基金的申请条件" (0.68). Of "住的地方
 * 太远了" they hold 住的地方 (0.33): the rest is what is wrong.
 */
const SAID_AND_IN_THE_DOCUMENTS = 0.5;

/**
 * Said rather than asked ("心里难受", "住的地方太远了"), clearly of a service, and not in the documents:
 * a request the router took for a question. "现有资料里没有找到这个问题的说明" would leave the person
 * with nothing; the request is taken, under that category.
 */
async function unaskedRequest(ctx: MessageContext): Promise<string | undefined> {
  if (ctx.decision!.by === 'rule' || asksSomething(ctx.question) || namesAValue(ctx.question)) return undefined;
  const category = ctx.services.router.clearCategoryOf(ctx.question);
  if (category === FALLBACK_CATEGORY || (await ctx.services.answerer.covers(ctx.question, SAID_AND_IN_THE_DOCUMENTS))) return undefined;
  return category;
}

/**
 * After an answer about a service (housing, training, a dispute…), the way to a person who provides
 * it: "转人工" then carries the question to them. Nothing when the answer already says how, or when
 * the question only asked what something is.
 */
function nextStep(ctx: MessageContext, question: string, outcome: { answered: boolean; text: string }): string | undefined {
  if (!outcome.answered || outcome.text.includes('转人工') || asksWhatItIs(question)) return undefined;
  const { router, categories } = ctx.services;
  const category = router.serviceOf(question);
  return category === FALLBACK_CATEGORY ? undefined : replies.nextStep(categories.label(category));
}

function say(ctx: MessageContext, routeName: 'greeting' | 'out_of_scope', text: string): void {
  ctx.result.route = routeName;
  ctx.result.answer = text;
  ctx.result.replies.push(replyTo(ctx, { text }));
  ctx.answered = true;
  ctx.emit({ type: 'text-delta', text });
}

const logQuestion: Step<MessageContext> = async function logQuestion(ctx, next) {
  await next();
  if (ctx.result.ignored || !ctx.decision) return;
  await ctx.services.questionLog.record({
    at: ctx.message.at,
    channel: ctx.message.channel,
    conversationId: ctx.message.conversation.id,
    userId: ctx.message.sender.id,
    text: ctx.message.text,
    question: ctx.question,
    route: ctx.result.route,
    category: ctx.result.category,
    relevance: ctx.relevance,
    answered: ctx.result.route !== 'no_answer',
    messageId: ctx.message.id,
    topSource: ctx.result.citations[0]?.source ?? null,
  });
};

const pipeline = compose<MessageContext>([dedupe, textOnly, session, urgent, handoffGate, logQuestion, carryQuestion, faultFound, rewrite, route, respond]);

/** The brain every channel uses: one message in, the decision and the replies out. */
export class Assistant {
  private readonly queue = new KeyedQueue();

  constructor(readonly services: AssistantServices) {}

  /** Messages of one user in one conversation are handled in order; others run alongside. */
  handle(inbound: InboundMessage, onEvent?: (event: AnswerEvent) => void): Promise<AssistantResult & { ignored?: 'duplicate' }> {
    // Read, kept and passed to workers in simplified characters, whichever the sender typed.
    const message = { ...inbound, text: toSimplified(inbound.text) };
    return this.queue.run(sessionKey(message), async () => {
      const ctx: MessageContext = {
        message,
        session: emptySession(),
        log: this.services.logger.child({ messageId: message.id, channel: message.channel }),
        services: this.services,
        // As the documents spell it: "邻里中新" is asked as 邻里中心 (the requester's own words go to
        // workers), and without the thanks, hello or okay it begins with.
        question: this.services.tokenizer.respell(withoutCourtesies(message.text.trim())),
        result: { route: 'answer', category: null, answer: '', citations: [], ticket: null, replies: [] },
        relevance: null,
        answered: false,
        emit: (event) => onEvent?.(event),
      };
      await pipeline(ctx);
      if (!ctx.result.ignored) onEvent?.({ type: 'done', result: ctx.result });
      return ctx.result;
    });
  }
}
