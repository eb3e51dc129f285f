import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Glossary } from '../knowledge/glossary.ts';
import { askedWithMa, isPunctuation, normalizeText, plainParticles } from '../retrieval/text.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { FALLBACK_CATEGORY, type Categories } from './categories.ts';
import { ASKS_HOW_IT_IS_DONE, namesAValue, wantsAValue, withoutWhoAndWhereIAm } from './grounding.ts';
import { NaiveBayes } from './naive-bayes.ts';
import { announcesQuestion, asksSomething, onlyGreets } from './router.ts';
import { ROUTES, type Route, type RouteDecision } from './types.ts';

const examplesSchema = z.object({
  routes: z.record(z.enum(ROUTES), z.array(z.string().min(1)).min(1)),
  categories: z.record(z.string(), z.array(z.string().min(1)).min(1)),
});

export type RouterExamples = z.infer<typeof examplesSchema>;

/**
 * The posterior at which a specific category is plausible enough to win over the fallback. Over the
 * shipped category examples, left out one at a time, 0.15 and 0.2 classify best (122 of 149 at the time;
 * 0.25 and 0.3: 120; the plain argmax: 117).
 */
const PLAUSIBLE_CATEGORY = 0.2;
const LATIN_WORD_OR_CHARACTER = /[a-z]+|./gsu;
/** Asking for someone ("帮我", "找个人", "咨询", "社工") says that a person is wanted, not what about. */
const GENERIC_ASKING = /帮我|帮忙|麻烦|我想|我要|想要|找个人|找人|一下|咨询|问问|社工|社区工作者/g;
/**
 * What a specific category needs, on the words left without the asking, to win over the fallback.
 * Deciding on those words lifts the leave-one-out count from 120 to 122 of 149 at the time (0.4 and 0.6: 122).
 */
const PLAUSIBLE_WITHOUT_ASKING = 0.5;

/** Something to be done for someone: a request that also asks a price or a phone number is still a request. */
const ASKS_FOR_ACTION = /帮|派|修|申请|登记|报名|安排|预约|调解|投诉/;
const POLITE_ASKING = /请问|你好|您好|小融|想问问?一?下?|问一?下/g;
/** "我想问下…": what follows is asked, and 我想 is no request. */
const ASKING_TO_ASK = /(?<=^|[\s\p{P}])我?想问(?:问|一下|下)?/gu;

/**
 * "宿舍一个月多少钱", "公寓离厂远不远", "蓝领公寓申请条件": every clause asks, or names the value as a
 * search is typed, one of them for a value the documents would state, and none for something to be
 * done. "宿舍空调坏了，物业电话多少" says what is wrong, and "帮我修空调，要多少钱" asks for a repair:
 * both stay requests.
 */
function onlyAsksAValue(text: string): boolean {
  if (!wantsAValue(text) || ASKS_FOR_ACTION.test(text.replace(OF_THE_ACT, ''))) return false;
  return text
    .replace(POLITE_ASKING, '')
    .split(/[\s\p{P}]+/u)
    .filter(Boolean)
    .every((clause) => asksSomething(clause) || namesAValue(clause));
}
/** "蓝领公寓申请条件", "维修电话": what applying or a repair takes is asked, nothing is to be done. */
const OF_THE_ACT = /(?:申请|维修|报名|登记|预约)(?=条件|材料|办法|流程|手续|要求|费用|电话|时间|地址)/g;

/** Words that ask for something to be done, or say it is wanted: "帮我办居住证", "我想申请公寓". */
const WANTS_IT_DONE = /帮|派|给我|替我|我想|我要|想要/;
/** A card, a certificate or a licence ("居住证", "社保卡", "护照", "营业执照"), not 保证金 or 证书. */
const NAMES_A_PAPER = /\p{Script=Han}[证卡照](?![金书明])|证明|户口本/u;
/**
 * Whether something can be done some way, or by someone: "能在网上办吗", "网上能办吗", "外地人可以报名吗".
 * Not "可以报名吗" or "我能申请吗", which name nothing but the asker.
 */
const ASKS_WHETHER_IT_CAN_BE_DONE =
  /^(?:(?:能|可以|能不能|可不可以)在?(\p{Script=Han}{1,6}?)|(\p{Script=Han}{1,6}?)(?:能|可以|能不能|可不可以))(?:办理?|申请|报名|登记)(?:吗|么|不)?$/u;
const NAMES_ONLY_THE_ASKER = /^(?:我|我们|咱们|本人|自己|也|还|不能|不可以)+$/;

function asksWhetherItCanBeDone(text: string): boolean {
  const asked = ASKS_WHETHER_IT_CAN_BE_DONE.exec(plainParticles(text).replace(/[\s\p{P}]+$/u, ''));
  return asked !== null && !NAMES_ONLY_THE_ASKER.test(asked[1] ?? asked[2]!);
}

/**
 * "房间有空调吗", "宿舍有没有洗衣机", "宿舍有wifi吗": whether a place has a thing, asked with nothing
 * wrong said and nothing to be done. Not "房间有人吗" or "有没有办法"; nor, with no place named,
 * "有宿舍吗", which asks for one.
 */
const ASKS_WHETHER_IT_HAS = /^[\p{Script=Han}a-z0-9]{1,8}?有(?![人谁]|办法)[\p{Script=Han}a-z0-9]{1,8}吗$/u;

function asksWhetherItHas(text: string): boolean {
  return ASKS_WHETHER_IT_HAS.test(askedWithMa(normalizeText(plainParticles(text)).replace(/[\s\p{P}]+$/u, ''))) && !ASKS_FOR_ACTION.test(text);
}

/** Below this, a question routed as a greeting is routed as the likeliest of the rest. */
const DOUBTFUL_GREETING = 0.5;

// "你能帮我什么", "有什么可以帮我的", "你都能干点啥": what the assistant itself can do for someone.
// "你们能提供什么服务" and "邻里中心能做什么" ask about the services, which the documents answer.
// "我不知道该干啥", "不知道找谁" (with nothing else said) ask the same: what there is to ask for; so does
// "有没有人能带带我", from someone new to everything.
const CAN_DO =
  /^(?:那|请问)?(?:你|您|小融)?们?(?:都|还|到底)?(?:能|可以|会)(?:帮我|帮|给我|为我|替我)?(?:做|干|办)?(?:些|点)?(?:什么|啥)(?:忙|事情?)?$|^(?:那|请问)?(?:你|您|小融)?们?(?:这里|这边)?有(?:什么|啥)(?:可以|能)?帮(?:到|得上|上)?(?:我|忙)?的?(?:地方)?$|^我?(?:也|还)?不知道(?:该|要|能|可以)?(?:干啥|干什么|做什么|找谁|去哪儿?|问什么|问啥)$|^(?:有没有人|谁)(?:能|可以)?带(?:带|一下)?我$/;
// What may come with it and says no need: a hello (the router's own list), that one is new here ("我刚来钱塘", "刚到医药港上班"),
// or who one is at work ("我是人事部的小张", "我是一家药企的hr").
const INTRODUCES =
  /^(?:我|本人)?是?(?:刚|才|新)(?:来|到|入职|过来)的?(?:这边|这里|钱塘区?|杭州|厂里|公司)?(?:上班|工作|打工)?的?(?:新人|新员工|员工)?$|^(?:我|本人)?是新(?:来的|人|员工)$|^人生地不熟$|^我?(?:啥|什么)都不(?:懂|知道|了解|熟悉)$|^(?:我|本人)是[\p{Script=Han}a-z0-9]{0,12}?(?:人事部?|人力资源部?|hr|行政部?|招聘专员)(?:的)?\p{Script=Han}{0,3}$/u;

/** "登记完多久有人联系我", "报修后多久来修": how long the service takes once asked for. */
const HOW_LONG_ONCE_FILED =
  /^(?:请问)?我?(?:登记|报修|申请|提交|报名|转人工)(?:工单)?(?:完|后|以后|之后|了)+[，,]?(?:一般|大概|大约|通常)?(?:多久|多长时间|什么时候|(?:要|需要)(?:多久|多长时间|几天))/;
/** "晚上有人吗", "周末还有社工值班吗", "晚上找谁": whether anyone is there at a time, or whom to reach then. */
const ANYONE_THERE_WHEN =
  /^(?:请问)?(?:晚上|夜里|夜间|半夜|深夜|周末|周六|周日|节假日|假期|放假|过年|春节|下班后?|休息日)(?:的时候)?(?:也|还)?(?:(?:有人|有社工|有工作人员|有社区工作者)(?:在|值班|上班)?(?:吗|么|嘛|没有?)?|(?:能|可以|该|应该)?(?:找谁|联系谁))[？?呢]*$/;

export async function loadRouterExamples(file: string, categories: Categories): Promise<RouterExamples> {
  const parsed = examplesSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
  }
  for (const route of ROUTES) {
    if (!parsed.data.routes[route]?.length) throw new Error(`${file} has no examples for the route "${route}"`);
  }
  for (const name of categories.names) {
    if (!parsed.data.categories[name]?.length) throw new Error(`${file} has no examples for the category "${name}" of config/categories.yaml`);
  }
  const unknown = Object.keys(parsed.data.categories).filter((name) => !categories.has(name));
  if (unknown.length) throw new Error(`${file} has examples for categories that config/categories.yaml does not define: ${unknown.join(', ')}`);
  return parsed.data;
}

/**
 * The offline router: two naive Bayes classifiers (route, then category) over character 1–3-grams
 * (a Latin word counting as one character) plus one feature per glossary synonym group and domain
 * term the text contains. Trained at start from the shipped examples, the glossary's domain terms
 * counting as questions for the documents.
 */
export class LocalRouter {
  private readonly routes = new NaiveBayes<Route>();
  private readonly categories = new NaiveBayes<string>();
  private readonly terms: string[];

  /** Per category with `saidWith`, its words: it is filed only under a text that says one. */
  private readonly saidWith: Map<string, string[]>;

  constructor(
    examples: RouterExamples,
    glossary: Glossary,
    private readonly tokenizer: Tokenizer,
    categories?: Categories,
  ) {
    this.saidWith = new Map((categories?.list ?? []).flatMap(({ name, saidWith }) => (saidWith ? [[name, saidWith.map(normalizeText)] as const] : [])));
    this.terms = glossary.terms.map(normalizeText).filter((term) => term.length >= 2);
    for (const route of ROUTES) for (const text of examples.routes[route] ?? []) this.routes.add(route, this.features(text));
    for (const term of glossary.terms) this.routes.add('answer', this.features(term));
    // What is wrong matters for the category, not where: "宿舍的灯坏了" is a repair, not housing.
    for (const [name, texts] of Object.entries(examples.categories)) for (const text of texts) this.categories.add(name, this.categoryFeatures(text));
  }

  features(text: string, options: { synonyms?: boolean } = {}): string[] {
    // A Latin word is one unit: the letters of "javascript" say nothing that those of "hi" do.
    const characters = (normalizeText(plainParticles(text)).match(LATIN_WORD_OR_CHARACTER) ?? []).filter((character) => !isPunctuation(character));
    const features: string[] = [];
    for (let i = 0; i < characters.length; i++) {
      features.push(characters[i]!);
      if (i + 1 < characters.length) features.push(characters[i]! + characters[i + 1]!);
      if (i + 2 < characters.length) features.push(characters[i]! + characters[i + 1]! + characters[i + 2]!);
    }
    const normalized = characters.join('');
    if (options.synonyms ?? true) for (const group of this.tokenizer.synonymGroupsIn(normalized)) features.push(`syn:${group}`);
    for (const term of this.terms) if (normalized.includes(term)) features.push(`term:${term}`);
    if (characters.length <= 4) features.push('len:short');
    return features;
  }

  /**
   * Every request goes to a community, so "社区" says who is asked, not about what: with it,
   * "社区能帮忙修空调吗" was 企业服务, whose examples name the community most. Without it the
   * category leave-one-out count stayed 117 of the 137 examples of the time.
   */
  private categoryFeatures(text: string): string[] {
    return this.features(text.replace(/社区/g, '，'), { synonyms: false });
  }

  /** A message that only asks what the assistant can do is greeted before it comes here (Router). */
  route(message: string): RouteDecision {
    // "我们公司在芯谷，有社工站吗" asks what "有社工站吗" asks: where one is, said first, made it a
    // request; so did the 我想 of "我想问下社企开放日要不要报名".
    const said = withoutWhoAndWhereIAm(this.besidesAskingWhatItCanDo(message) || message, this.tokenizer);
    const text = said.replace(ASKING_TO_ASK, '') || said;
    const { label, probability, probabilities } = this.routes.predict(this.features(text));
    const likeliest = (...routes: Route[]) => routes.map((one) => [one, probabilities[one] ?? 0] as const).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
    let route: readonly [Route, number] = [label, probability];
    // "法律咨询有吗" sounded a little like "在吗" (0.45): a question barely taken for a greeting is a question.
    if (label === 'greeting' && probability < DOUBTFUL_GREETING && asksSomething(text)) route = likeliest('answer', 'handoff', 'out_of_scope');
    // "宿舍一个月多少钱", "公寓离厂远不远" sound like housing requests, and "晚上几点关门" like "晚上好":
    // each asks only what the documents would state.
    else if ((label === 'greeting' || label === 'handoff') && onlyAsksAValue(text)) route = ['answer', probabilities.answer ?? 0];
    // "维修电话多少" sounded like "彩票号码是多少"; it asks a value of one of the services.
    else if (label === 'out_of_scope' && onlyAsksAValue(text) && mostPlausible(this.predictCategory(text, text).probabilities, PLAUSIBLE_WITHOUT_ASKING) !== FALLBACK_CATEGORY) route = ['answer', probabilities.answer ?? 0];
    // "晚上有人吗" sounded like "有人吗" and "晚上找谁" like a request: whether anyone is there at a time,
    // or whom to reach then, asks when the service is.
    else if ((label === 'greeting' || label === 'handoff') && ANYONE_THERE_WHEN.test(normalizeText(text))) route = ['answer', probabilities.answer ?? 0];
    // "登记完多久有人联系我" sounded like a request (登记, 联系我): how long the service takes is a question.
    else if (label === 'handoff' && HOW_LONG_ONCE_FILED.test(normalizeText(text))) route = ['answer', probabilities.answer ?? 0];
    // "停电了什么时候来电" (0.81 a greeting) and "窗户玻璃碎了" (out of scope, like "手机屏幕碎了") are 报修.
    else if ((label === 'greeting' || label === 'out_of_scope') && this.clearCategoryOf(text) !== FALLBACK_CATEGORY) route = likeliest('answer', 'handoff');
    // "居住证怎么办理" sounded like a request (办, and 怎么办 in 怎么办理) and was filed under 心理关怀 for
    // the 理 of 心理, "能在网上办吗" under 报修 for the 网 of 网络. How a paper is got, or whether
    // something can be done some way, is a question for the documents, which say it or offer a
    // person; how to get one of the services ("怎么报名考证") is a request for it, and so is a trouble
    // told with how to seek redress ("工伤了怎么申请赔偿").
    else if (
      (label === 'handoff' || label === 'out_of_scope') &&
      ((ASKS_HOW_IT_IS_DONE.test(text) && NAMES_A_PAPER.test(text)) || asksWhetherItCanBeDone(text)) &&
      !WANTS_IT_DONE.test(text) &&
      this.clearCategoryOf(text, true) === FALLBACK_CATEGORY
    ) {
      route = ['answer', probabilities.answer ?? 0];
    }
    // "房间有空调吗" sounded like "空调坏了" (0.90 a request): it asks what the documents would say.
    else if (label === 'handoff' && asksWhetherItHas(text)) route = ['answer', probabilities.answer ?? 0];
    // "蓝领公寓要不要押金", "社企开放日要不要报名": 要不 sounded like "工钱要不回来". Asked with 吗,
    // it is at least twice as likely a question as a request (0.97 to 0.03, 0.84 to 0.16); "工资是不是
    // 少发了" is not (0.51 to 0.43).
    else if (label === 'handoff' && askedWithMa(text) !== text) {
      const asked = this.routes.predict(this.features(askedWithMa(text)));
      const question = asked.probabilities.answer ?? 0;
      if (asked.label === 'answer' && question >= 2 * (asked.probabilities.handoff ?? 0)) route = ['answer', question];
    }
    const category = route[0] === 'handoff' ? this.categoryOf(text) : null;
    return { route: route[0], category, confidence: route[1], by: 'local' };
  }

  /**
   * True when the message asks what the assistant can do for someone, with at most a hello or a word
   * that they are new: the classifier filed "我刚来钱塘，有什么可以帮我的" as a housing request and
   * "你能帮我什么" as training, while what is wanted is to hear what one can ask.
   */
  asksWhatItCanDo(text: string): boolean {
    return this.besidesAskingWhatItCanDo(text) === '';
  }

  /**
   * What a message says besides asking what the assistant can do and the hello or "I'm new" said with
   * it ("刚来没地方住，有什么可以帮我的" → 刚来没地方住): such asking, like "帮帮我", says nothing of what
   * is wanted, and phrased as a question it made the classifier take a request for a question.
   * Undefined when the message does not ask it.
   */
  private besidesAskingWhatItCanDo(text: string): string | undefined {
    const clauses = normalizeText(plainParticles(text))
      .replace(/[吗呢呀啊]+(?=[\s\p{P}]|$)/gu, '')
      .split(/[\s\p{P}]+/u)
      .filter(Boolean);
    // "你好，我是行政小王，有个问题": that a question follows says no more (it had been filed as a request).
    const introduces = (clause: string) =>
      onlyGreets(clause) || INTRODUCES.test(this.tokenizer.placesIn(clause).reduce((rest, place) => rest.replaceAll(place, ''), clause)) || announcesQuestion(clause);
    // "刚来杭州，人生地不熟": only that one is new is a hello too (the classifier took it for housing).
    if (!clauses.some((clause) => CAN_DO.test(clause)) && !(clauses.length && clauses.every(introduces))) return undefined;
    return clauses.filter((clause) => !CAN_DO.test(clause) && !introduces(clause)).join('，');
  }

  /**
   * The likeliest category of any text, for a request whose category the route did not settle.
   * `other` is the fallback, and its examples are mostly generic asking (帮我, 找人, 咨询), which
   * outweighs what a request is about: "工作压力大帮我找个人咨询" is decided on "工作压力大". A
   * specific category the text plausibly belongs to wins over the fallback.
   */
  categoryOf(text: string): string {
    const { label, probabilities } = this.predictCategory(text, text);
    if (label !== FALLBACK_CATEGORY) return label;
    const rest = text.replace(GENERIC_ASKING, '，');
    if (rest === text) return mostPlausible(probabilities, PLAUSIBLE_CATEGORY);
    // "能帮我找个人吗": with the asking gone nothing is said ("能吗" had been filed under 技能培训).
    if (!this.tokenizer.contentWords(rest).length) return FALLBACK_CATEGORY;
    return mostPlausible(this.predictCategory(rest, text).probabilities, PLAUSIBLE_WITHOUT_ASKING);
  }

  /** The category a question is clearly (or, with `certain`, surely) about, or the fallback: for a question, not a request. */
  clearCategoryOf(question: string, certain = false): string {
    return mostPlausible(this.predictCategory(question, question).probabilities, certain ? CERTAIN_CATEGORY : CLEAR_CATEGORY);
  }

  /**
   * The categories' posteriors for `text` (what is classified), without those `said` lacks the words
   * for: "能不能线下办事" is no complaint, however much 办事 sounds like "办事拖拉想投诉".
   */
  private predictCategory(text: string, said: string): { label: string; probabilities: Record<string, number> } {
    const { label, probabilities } = this.categories.predict(this.categoryFeatures(text));
    const normalized = normalizeText(said);
    const admitted = Object.entries(probabilities).filter(([name]) => this.saidWith.get(name)?.some((word) => normalized.includes(word)) ?? true);
    if (admitted.length === Object.keys(probabilities).length) return { label, probabilities };
    // "食堂太贵了" sounds like a complaint and does not say so: what is left (报修 at 0.03) is no more plausible.
    const best = admitted.reduce((top, entry) => (entry[1] > top[1] ? entry : top), [FALLBACK_CATEGORY, -1]);
    return { label: best[1] >= PLAUSIBLE_CATEGORY ? best[0] : FALLBACK_CATEGORY, probabilities: Object.fromEntries(admitted) };
  }
}

/**
 * The posterior a question's category needs to be taken as its subject. The categories are learnt
 * from requests, and a policy question is unlike any of them: on the labelled questions, those about
 * housing, training or disputes score 0.95–1 and abstract ones as low as 0.22 ("融治理是什么" →
 * mental_health 0.44), though questions about the enterprise programmes often reach 0.9 too.
 */
const CLEAR_CATEGORY = 0.9;
/**
 * Near certainty, for what is said on a live ticket and would take it from its worker: praise for the
 * worker ("师傅人很好") reaches 0.97 for mental health on its 很, one's own troubles ("最近心里堵得慌",
 * "老板还欠我两个月工资", "工钱被扣了") 0.994–1.
 */
const CERTAIN_CATEGORY = 0.99;

/** The likeliest specific category if it reaches `threshold`, else the fallback. */
function mostPlausible(probabilities: Record<string, number>, threshold: number): string {
  const [specific, probability] = Object.entries(probabilities)
    .filter(([name]) => name !== FALLBACK_CATEGORY)
    .reduce<[string, number]>((best, entry) => (entry[1] > best[1] ? entry : best), [FALLBACK_CATEGORY, 0]);
  return probability >= threshold ? specific : FALLBACK_CATEGORY;
}
