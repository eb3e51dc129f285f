import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { ChatModel } from '../llm/chat-model.ts';
import type { Prompts } from '../llm/prompts.ts';
import { A_NOT_A, normalizeText, plainParticles } from '../retrieval/text.ts';
import { FALLBACK_CATEGORY, type Categories } from './categories.ts';
import type { LocalRouter } from './local-router.ts';
import { ROUTES, type RouteDecision } from './types.ts';

const modelDecision = z.object({ route: z.enum(ROUTES), category: z.string().nullable().optional() });

// Who is asked for, and the words around such a request that say nothing of what it is about.
// "找谁", "谁知道", "那怎么办" after an answer the asker could not use: someone is wanted, not what about.
const PERSON = /转人工|人工服务|人工客服|人工|真人|社区工作者|工作人员|社工|帮我问|帮忙问|找谁|问谁|谁知道|怎么办|(?:有没有人|有人|谁)(?:能|可以)?帮(?:帮|一下|个忙)?我/g;
const ASKING_WORDS = /好的|好|嗯|行|可以|那就|那|你|请|麻烦|帮我|帮忙|给我|我要|我想|我该|我应该|应该|该|想|需要|要|找|联系|转|问问|问一下|问下|问|一下|个|吧|呀|啊|哦|呗|吗|呢|[\p{P}\p{S}]/gu;

/**
 * True when the whole message only asks for a person ("转人工", "好的，转人工吧", "帮我问问社工"):
 * nothing to classify, and nothing for a worker to read.
 */
export function asksForPerson(text: string): boolean {
  const normalized = normalizeText(text);
  const rest = normalized.replace(PERSON, '');
  return rest !== normalized && rest.replace(ASKING_WORDS, '') === '';
}

/**
 * "需要", "要的": yes to a person just offered ("需要住房方面的帮助，可以回复"转人工"…"); said out
 * of the blue, a request for a person that has yet to say what about.
 */
const YES = /^(?:嗯|好的|好)?[，,]?(?:需要|要)的?(?:[，,]?谢谢)?[。！!]*$/;

export function acceptsOffer(text: string): boolean {
  return YES.test(normalizeText(text));
}

/** "不需要", "不用了，谢谢", "谢谢，不用了": no to a person offered — a goodbye, never a request. */
const NO = /^(?:那就?)?(?:(?:嗯|好的|好|谢谢|多谢)[，,]?)*(?:(?:暂时|先|还)?(?:不需要|不用|不要|不必|没事|算了)了?[吧，,]?)+(?:(?:谢谢|多谢|感谢)(?:你|啦)?)?[。！!]*$/;

export function declinesOffer(text: string): boolean {
  return NO.test(normalizeText(text));
}

// Phrased as a question: a question mark or particle, an interrogative word, a word asked as A-not-A
// ("贵不贵", "远不远", "修没修"), a clause ending in 没 or 不 ("建好没", "能住不"), or a choice
// ("是上班时间服务还是下班后服务"; "还是没修好" says). 几 asks only before a measure word:
// "宿舍几天没热水了" says, not asks.
const ASKS = new RegExp(`[?？吗呢]|哪|谁|什么|啥|咋|怎么|怎样|如何|多少|多久|多长|多远|几[个间家处场种项次位点版级]|是否|可不可以|是\\p{Script=Han}+还是|${A_NOT_A.source}`, 'u');
const ASKS_AT_END = /(?:没有?|不)$/;

/** Whether a message asks anything, rather than says something ("心里难受", "我在芯谷"). */
export function asksSomething(text: string): boolean {
  const plain = plainParticles(text);
  return ASKS.test(plain) || plain.split(/[\s\p{P}]+/u).some((clause) => ASKS_AT_END.test(clause));
}

/** "好的", "嗯嗯", "知道了", "没问题": the answer was heard — nothing asked, nothing to introduce. */
const HEARD = /^那?(?:(?:嗯|哦|噢|好|行|可以|是的|对|ok|okay|明白|知道|了解|收到|懂|没问题)+[了的啦吧]?[，,]?)+[。！!~～]*$/;

export function acknowledges(text: string): boolean {
  return HEARD.test(normalizeText(text));
}

// "我有个问题", "还有一个问题", "请教个问题", "我想问下", "问个事": the question is still to come.
const ANNOUNCES_QUESTION =
  /^(?:那|请问|麻烦)?(?:我|本人)?(?:还|再|也)?(?:想|要)?(?:有|问|请教|打听)?(?:一|两|几)?个?(?:问题|事儿?|事情)?(?:想|要)?(?:问问?|请教|打听)?(?:一?下)?(?:你|您|小融)?[呀啊哈吧哦嘛]*$/;

/** True when a message only says that a question follows: it is invited, never filed as a request. */
export function announcesQuestion(text: string): boolean {
  const plain = normalizeText(text).replace(/[\p{P}\s~～]+/gu, '');
  return /问|请教|打听/.test(plain) && ANNOUNCES_QUESTION.test(plain);
}

// "有人吗", "有没有人在", "人呢": whether anyone is there, as "在吗" asks.
const COURTESY =
  /^(?:(?:谢谢|多谢|感谢)(?:你|您|啦|了)?|辛苦了|你好|您好|嗨|哈喽|hi|hello|小融|在吗|在不在|大家好|早上好|下午好|晚上好|有人(?:在)?(?:吗|嘛|么|没|不|在不在)|有没有人(?:在)?|人呢)+[呀啊哈吖]*[。！!~～？?]*$/i;

/** Nothing but a hello, thanks or "在吗" (any number of them): a greeting, whatever the classifier makes of "有人吗". */
export function onlyGreets(text: string): boolean {
  return COURTESY.test(normalizeText(text).replace(/[，,\s]+/g, ''));
}

/**
 * The message without the thanks, hello or okay it begins with ("谢谢，那临江的什么时候建好" → "那临江的
 * 什么时候建好", "你好呀，社企开放日要不要报名" → "社企开放日要不要报名"): the rest is what is asked; the
 * thanks had made it a greeting, the hello a request. Said alone, they stay.
 */
export function withoutCourtesies(text: string): string {
  const clauses = text.split(/(?<=[，,。！!~～？?\s])/);
  const courtesy = (clause: string) => {
    const plain = normalizeText(clause).replace(/[，,\s]+$/, '');
    return acknowledges(plain) || COURTESY.test(plain) || announcesQuestion(plain);
  };
  let courtesies = 0;
  while (courtesies < clauses.length - 1 && courtesy(clauses[courtesies]!)) courtesies++;
  const rest = clauses.slice(courtesies).join('').trim();
  return courtesies && rest ? rest : text;
}

/** Someone or the service praised ("师傅人很好", "社工很负责"): a plain "你们好" greets. */
const PRAISED =
  /(?:师傅|社工|社区工作者|工作人员|你们|小融|服务|态度|修得|办得|处理得)\p{Script=Han}{0,3}?(?:(?:真|很|挺|非常|特别|太)好|棒|负责|耐心|热情|专业|给力|周到|及时|靠谱)(?:了|的|啊|呀|哦)?[。！!~～]*$/u;
const FAULT = /不|没|差|慢/;

// Said of the last answer: "你回答的不对", "答非所问", "没用", "听不懂你说的". Short, and either about the
// bot or its answer, or nothing but the fault ("空调没用了" is about the air conditioner).
const FAULT_FOUND = /不对|不准|错了|有误|没用|没有用|答非所问|文不对题|听不懂|看不懂|没看懂|不明白|笨|不是我(?:要|问|想)的|没回答|没解决|不是这个意思/;
const ABOUT_THE_ANSWER = /你|小融|回答|答案|回复/;

/** True when a short message finds fault with the answer it follows. */
export function findsFault(text: string): boolean {
  const plain = normalizeText(text).replace(/[\p{P}\s]+/gu, '');
  return plain.length <= 12 && FAULT_FOUND.test(plain) && (ABOUT_THE_ANSWER.test(plain) || plain.replace(FAULT_FOUND, '').replace(/[了啊吧呀嘛哦吗这个啥]/g, '').length === 0);
}

/** Praise, nothing asked and nothing to file: the classifier hears "很好" as a mood and files it under mental health. */
export function praises(text: string): boolean {
  const normalized = normalizeText(text);
  return PRAISED.test(normalized) && !FAULT.test(normalized) && !asksSomething(text);
}

/**
 * Written in Latin letters alone, three words or more ("how can I apply for the dormitory"): the
 * documents and the rules read Chinese, and the reply asks for it. "hi", "OK" are still greeted.
 */
export function writtenInLatin(text: string): boolean {
  return !/\p{Script=Han}/u.test(text) && (text.match(/[a-z]+/gi)?.length ?? 0) >= 3;
}

/** Pulls the first JSON object out of a model reply (models wrap JSON in prose or code fences). */
export function parseJsonObject(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the reply');
  return JSON.parse(text.slice(start, end + 1));
}

/** Routes with the model when there is one, and with the local classifier when there is not or it fails. */
export class Router {
  constructor(
    private readonly local: LocalRouter,
    private readonly categories: Categories,
    private readonly model?: { chat: ChatModel; prompts: Prompts },
  ) {}

  async route(text: string, log: Logger, signal?: AbortSignal): Promise<RouteDecision> {
    if (writtenInLatin(text)) return { route: 'out_of_scope', category: null, confidence: 1, by: 'rule' };
    if (asksForPerson(text) || acceptsOffer(text)) return { route: 'handoff', category: FALLBACK_CATEGORY, confidence: 1, by: 'rule' };
    if (declinesOffer(text) || acknowledges(text) || praises(text) || announcesQuestion(text) || onlyGreets(text) || this.local.asksWhatItCanDo(text)) return { route: 'greeting', category: null, confidence: 1, by: 'rule' };
    if (!this.model) return this.local.route(text);
    try {
      const prompt = this.model.prompts.render('router', {
        categories: this.categories.list.map((category) => `- ${category.name}：${category.label}`).join('\n'),
        message: text,
      });
      const reply = await this.model.chat.completeJson([{ role: 'system', content: prompt }, { role: 'user', content: text }], signal);
      const parsed = modelDecision.parse(parseJsonObject(reply));
      if (parsed.route !== 'handoff') return { route: parsed.route, category: null, confidence: 1, by: 'model' };
      const category = parsed.category && this.categories.has(parsed.category) ? parsed.category : this.local.categoryOf(text);
      return { route: 'handoff', category, confidence: 1, by: 'model' };
    } catch (error) {
      log.warn({ err: error }, 'model routing failed: the local router decides');
      return this.local.route(text);
    }
  }

  categoryOf(text: string): string {
    return this.local.categoryOf(text);
  }

  /** Whether the local classifier takes a text for a question to the documents; no model is asked. */
  asksTheDocuments(text: string): boolean {
    return this.local.route(text).route === 'answer';
  }

  /**
   * The category of a question asked for information, when it clearly is one ("蓝领公寓房租多少钱"); else
   * the fallback. `certain` asks for near certainty instead.
   */
  clearCategoryOf(question: string, certain = false): string {
    return this.local.clearCategoryOf(question, certain);
  }

  /**
   * The service that something said with a question surely is ("宿舍空调坏了，另外问一下邻里中心有几个"
   * → repair), or else the one the question is clearly about: the question is answered, and a person
   * for that service is offered and, on "转人工", asked for. The trouble said comes first: "老板拖了我
   * 两个月工资，另外问下邻里中心有几个" had been offered help with housing.
   */
  serviceOf(question: string): string {
    const stated = question.split(/[\s\p{P}]+/u).filter((clause) => clause && !asksSomething(clause));
    const trouble = stated.map((clause) => this.clearCategoryOf(clause, true)).find((one) => one !== FALLBACK_CATEGORY);
    return trouble ?? this.clearCategoryOf(question);
  }
}
