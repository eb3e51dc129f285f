import { splitSentences } from '../knowledge/chunker.ts';
import type { Chunk } from '../knowledge/document.ts';
import type { Hit } from '../retrieval/knowledge-index.ts';
import type { LexicalIndex } from '../retrieval/lexical-index.ts';
import { A_NOT_A, askedWithMa, escapeRegExp, normalizeText, plainParticles } from '../retrieval/text.ts';
import { generalRarity, type Tokenizer } from '../retrieval/tokenizer.ts';
import type { Citation } from './types.ts';

export type Scorer = { tokenizer: Tokenizer; lexical: LexicalIndex };

/** A chunk's document title and section heading, normalised. */
const headingOf = (chunk: Chunk): string => normalizeText(`${chunk.title} ${chunk.section}`);

/** A chunk's title, heading and text, normalised once: every question that finds it reads it. */
const haystacks = new WeakMap<Chunk, string>();
function haystackOf(chunk: Chunk): string {
  let haystack = haystacks.get(chunk);
  if (haystack === undefined) haystacks.set(chunk, (haystack = normalizeText(`${chunk.title}${chunk.section}${chunk.text}`)));
  return haystack;
}

/**
 * The best share of the question that one of the hits covers: the assistant's measure of whether the
 * documents answer. It reads all the passages the answer is drawn from: "产业社区好不好怎么评" had been
 * refused on the first three, with the evaluation index fifth. A passage's share is the idf-weighted
 * share of the question's words that appear in it (a synonym counts). Common words weigh little, so
 * "钱塘区" alone covers little.
 */
export function relevance(question: string, hits: Hit[], scorer: Scorer): number {
  // Single characters (住, 办, 家) match almost anything; they count only when nothing longer is asked.
  const all = [...new Set(scorer.tokenizer.tokenize(question))];
  const words = all.filter((token) => [...token].length > 1);
  // A word is in a passage as itself, not inside one of the district's longer terms the question
  // does not name: "找工作" is not covered by "社区工作者", which had made a passage on how workers
  // answer the reply to it ("社区工作者几点上班" still is).
  const asked = normalizeText(question);
  const tokens = (words.length ? words : all).map((token) => ({
    token,
    weight: scorer.lexical.idf(token),
    synonyms: scorer.tokenizer.synonymsOf(token),
    holders: scorer.tokenizer.termsHolding(token).filter((term) => !asked.includes(term)),
  }));
  const total = tokens.reduce((sum, { weight }) => sum + weight, 0);
  if (!total) return 0;
  const coverage = (chunk: Chunk) => {
    const haystack = haystackOf(chunk);
    let covered = 0;
    for (const { token, weight, synonyms, holders } of tokens) {
      const itself = haystack.includes(token) && (!holders.length || holders.reduce((rest, term) => rest.replaceAll(term, ' '), haystack).includes(token));
      if (itself || synonyms.some((synonym) => haystack.includes(synonym))) covered += weight;
    }
    return covered / total;
  };
  return Math.max(0, ...hits.map((hit) => coverage(hit.chunk)));
}

/** `count`: says a number of something, not the digit of a name ("8小时外" is a service, not hours). */
type Sentence = { text: string; normalized: string; words: Set<string>; count: boolean };

// Per tokenizer (a new glossary makes a new one); the passages asked about most recently, so that a
// large corpus does not keep every passage it ever answered from.
const sentenceCache = new WeakMap<Tokenizer, Map<Chunk, Sentence[]>>();
const SENTENCE_CACHE_CHUNKS = 5_000;

/** "（见《企业员工服务清单与活动》）": a pointer to another document, whose title the sentence does not say. */
const SEE_ALSO = /[（(]见[^）)]*[）)]/g;

/** A chunk's sentences, normalised and tokenised once: a passage is read again for every question that finds it. */
function sentencesOf(chunk: Chunk, tokenizer: Tokenizer): Sentence[] {
  let chunks = sentenceCache.get(tokenizer);
  if (!chunks) sentenceCache.set(tokenizer, (chunks = new Map()));
  let sentences = chunks.get(chunk);
  if (sentences) {
    chunks.delete(chunk);
  } else {
    sentences = splitSentences(chunk.text).map((text) => {
      const said = text.replace(SEE_ALSO, '');
      const normalized = normalizeText(said);
      return { text, normalized, words: new Set(tokenizer.tokenize(said)), count: HAS_NUMBER.test(tokenizer.withoutTerms(normalized)) };
    });
    if (chunks.size >= SENTENCE_CACHE_CHUNKS) chunks.delete(chunks.keys().next().value!);
  }
  chunks.set(chunk, sentences);
  return sentences;
}

/**
 * Questions that want one kind of value — a phone number, a time of day, a price, an address — and
 * what a sentence must hold to speak to them: such a value, or the thing's own name (a document
 * saying "现有资料没有写明房租标准" speaks to the rent). A passage about the place is no answer to its
 * phone number.
 */
const ANSWER_KINDS: { asks: RegExp; says: RegExp; value: string }[] = [
  // "联系方式" is not here: how to reach someone is answered by how, not only by a number.
  { asks: /电话|手机号|热线/, says: /电话|热线|\d{3,4}-\d{7,8}|1\d{10}/, value: '电话' },
  { asks: /几点|营业时间|开放时间|开门|关门/, says: /营业|开放时间|开门|关门|\d{1,2}[:：]\d{2}|\d{1,2}点/, value: '开放时间' },
  // "社企共建基金能申请多少钱": an amount granted, not a price paid.
  { asks: /(?<=(?:申请|领取|资助|基金|补贴|补助|奖励|资金|经费|奖金)\p{Script=Han}{0,2})(?:多少钱|金额|额度)/u, says: /\d+(?:\.\d+)?万?元|金额|额度/, value: '金额' },
  { asks: /多少钱|费用|价格|收费|房租|租金|几块钱|[要交付掏花]钱|免费|贵不贵|贵吗|便宜|费(?:是|要|大概|一般)?多少|费怎么(?:算|收)/, says: /房租|租金|费用|价格|收费|免费|\d+(\.\d+)?元/, value: '收费标准' },
  // "医药港属于哪类社区": a sentence naming a kind (建制型, 功能型, 两类), not one that only names the place.
  { asks: /哪一?类|哪一?种类型|什么类型|什么类别|属于哪一?种|哪一?种社区/, says: /[型类]/, value: '类型' },
  // Who may live there: "邻里中心可以带家属住吗" is not answered by how many rooms there are.
  {
    asks: /带(?:家属|家人|老婆|老公|爱人|孩子|小孩|父母)|谁(?:可以|能)住|(?:给|让)谁住|哪些人(?:可以|能)住|什么人(?:可以|能)住|(?:外地|本地|外省|单身|夫妻|情侣|俩|两个人|两口子|一家人?|全家|没结婚|未婚|已婚|入职|员工|职工|工人|实习生|临时工|毕业生)\p{Script=Han}{0,2}?(?:也)?(?:可以|能)(?:一起)?(?:申请|入)?住(?!多少|几)|入住条件/u,
    says: /入住|条件/,
    value: '入住条件',
  },
  // "人才公寓怎么申请": how to apply, which a passage on what the place is does not say; the rules it
  // is applied for under (《社企共建基金运行管理办法》) do.
  { asks: /(?:怎么|如何|怎样|咋|[去在到]哪(?:里|儿)?)(?:申请|报名|办理)|申请(?:流程|方式|办法|步骤)|报名方式/, says: /申请|报名|办理|办法|登记|流程|转人工|联系|对接/, value: '申请方式' },
  // "邻里中心可以住多久": how long one may stay, which the number of rooms does not say.
  { asks: /(?:住|租)(?:多久|多长时间)|租期|入住期限/, says: /期限|租期|\d+(?:个)?(?:年|月|天)|长期|短期/, value: '入住期限' },
  // "申请社企共建基金需要什么条件", "要带什么材料": what one must meet or bring, which a sentence
  // naming the fund does not say; so is who may apply ("社企共建基金谁可以申请"). What a standard
  // requires is what it says: 要求 is a condition only when asked of applying or taking part, or
  // after what one wants to take part in ("我们企业想参加示范单元评选，有什么要求").
  {
    asks: /(?:什么|哪些|啥)(?:条件|门槛)|条件是什么|申请条件|门槛|(?<=(?:申请|参加|报名|加入|入驻|享受)\p{Script=Han}{0,10}?)(?:什么|哪些|啥)要求|(?:^|[，,])(?:有|需要|要)?(?:什么|哪些|啥)要求(?=[吗呢？?]*$)|(?:谁|哪些(?:人|企业|单位|公司)|什么(?:人|企业|单位|公司))(?:可以|能|才能)(?:申请|报名|参加|享受)/u,
    says: /条件|要求|门槛/,
    value: '条件和要求',
  },
  { asks: /(?:什么|哪些|啥)(?:材料|手续|证件)|申请材料/, says: /材料|手续|证件/, value: '申请材料' },
  // "宿舍能养猫吗", "公寓可以做饭吗": what the house rules allow, which the list of rooms does not say.
  { asks: /养(?:猫|狗|宠物|小动物)|带宠物|做饭|烧饭|开火|抽烟|吸烟|留宿|大功率/, says: /规定|禁止|不得|不允许|允许|须知|守则/, value: '管理规定' },
  { asks: /网址|网站|链接|小程序|公众号|二维码|app/i, says: /网址|网站|https?:|www\.|小程序|公众号|二维码|app/i, value: '网址' },
  // "公寓离厂远吗": how far, which the list of centres or their names does not say.
  { asks: /多远|远不远|远吗|近不近|近吗|距离|离\p{Script=Han}{1,8}?[远近]/u, says: /\d+(?:\.\d+)?(?:公里|千米|米)|步行|车程|距离|分钟|附近|旁边|隔壁|对面/, value: '距离' },
  // "在哪" alone is not here: "在医药港、芯谷试点" answers where a programme is. Where a building is
  // ("下沙邻里中心在哪里") is its address, and the list of centres is no answer to it.
  { asks: /地址|位置|怎么走|怎么去|哪条路|路线|门牌|(?<=中心|公寓|驿站|服务站|大厅|食堂)(?:具体)?在哪/, says: /地址|位置|路\d*号|\d+号|门牌|地铁|公交/, value: '地址' },
];

/** The one kind of value `question` wants, if it wants one. */
const kindAsked = (question: string) => ANSWER_KINDS.find(({ asks }) => asks.test(question));

/** Whether a question wants one kind of value: a price, a phone number, an address, how far. */
export const wantsAValue = (question: string): boolean => kindAsked(question) !== undefined;

const VALUE_NAMED_AT_END = /(?:条件|要求|地址|电话|房租|租金|收费标准|费用|价格|开放时间|营业时间|材料|手续)$/u;
/** "蓝领公寓申请条件", "下沙邻里中心电话": typed as a search is, a value named last is asked for. */
export const namesAValue = (text: string): boolean => VALUE_NAMED_AT_END.test(text.replace(/[\s\p{P}]+$/u, '')) && wantsAValue(text);

/**
 * What a sentence must hold to answer `question`, when the question wants one kind of value. Where a
 * thing is may also be said by what it is in: "工业邻里中心内设有党群服务中心" answers
 * "党群服务中心在哪".
 */
function wantedKind(question: string): RegExp | undefined {
  const kind = kindAsked(question);
  const thing = kind?.value === '地址' ? thingAsked(question, kind) : undefined;
  if (!thing) return kind?.says;
  const named = escapeRegExp(thing);
  return new RegExp(`${kind!.says.source}|[内里]设有${named}|${named}(?:设在|位于)`, kind!.says.flags);
}

/**
 * The value a question wants, as what the documents would have to state: "下沙邻里中心在哪里" →
 * 下沙邻里中心的地址, "医药港社区的电话是多少" → 医药港社区的电话 — the thing being what its clause
 * names before it asks. Undefined when the question wants no one kind of value, or, `ofANamedThing`,
 * when it names nothing the value is of ("晚上几点关门").
 */
export function wantedValue(question: string, { ofANamedThing = false } = {}): string | undefined {
  const kind = kindAsked(question);
  if (!kind) return undefined;
  const thing = thingAsked(question, kind);
  if (thing) return `${thing}的${kind.value}`;
  return ofANamedThing ? undefined : kind.value;
}

/** What a question wants a value of, as it names it ("下沙邻里中心在哪里" → 下沙邻里中心), if it names it. */
function thingAsked(question: string, kind: (typeof ANSWER_KINDS)[number]): string | undefined {
  // Clauses at even places, what separates them at odd ones.
  const parts = question.split(/([\s\p{P}]+)/u);
  const clauses = parts.filter((_, i) => i % 2 === 0);
  const at = clauses.findIndex((part) => kind.asks.test(part));
  if (at < 0) return undefined;
  const clause = clauses[at]!;
  const asked = kind.asks.exec(clause)!;
  // "多少" of "电话多少" (a follow-up, asked as "电话多少，邻里中心房租多少") names nothing.
  const named = (thing: string) => [...thing].length >= 2 && [...thing].length <= 12 && !QUESTION_WORD.test(thing);
  // "要不要交钱", "要不要钱", "收不收费": an A-not-A before the value, or its first half, asks too.
  const preceding = clause.slice(0, asked.index);
  const before = preceding
    .replace(A_NOT_A_AT_END, '')
    .replace(/(\p{Script=Han})[不没]$/u, (half, verb: string) => (asked[0].startsWith(verb) ? '' : half));
  const stated = before
    .replace(ASKING_FIRST, '')
    // "有没有那种便宜点的宿舍": which one is pointed at names nothing.
    .replace(/^(?:这|那)(?:种|个|些|样|类)/, '')
    .replace(/(?:的|是|属于|谁|可以|能|有|需要|需|要|带|准备|申请|领取|补贴|补助|资助|有无|是否|可不可以)+$/, '')
    // "宿舍一个月大概多少钱": how sure the asker wants the value is no part of the thing.
    .replace(/(?:大概|大约|大致|差不多|一般)$/, '')
    // "蓝领公寓一个月房租多少钱": how often it is paid is no part of the thing, nor is when
    // ("食堂晚上几点关门").
    .replace(HOW_OFTEN_OR_WHEN, '');
  // "外地人能住蓝领公寓吗", "有没有免费的技能培训", "免费培训有吗": what is asked about comes after the asking.
  // "晚上几点关门": 关门 asks it again.
  const after = clause
    .slice(asked.index + asked[0].length)
    .replace(new RegExp(kind.asks.source, 'gu'), '')
    // "便宜点的宿舍": how much of it is asked is no part of the thing.
    .replace(/^(?:一?点儿?|些)?的/, '')
    .replace(YES_NO_TAIL, '')
    // "养猫可以吗": whether it is allowed is asked, no thing named.
    .replace(/(?:有|可以|能|行|允许)$/, '');
  // "你们几点下班" asks it of whoever answers, no thing the documents name (not "下班" either).
  if (PRONOUN.test(stated)) return undefined;
  // "区里有没有免费的技能培训": what comes before asking whether there is one is where, not what.
  const [first, second] = ASKS_WHETHER_THERE_IS.test(preceding) ? [after, stated] : [stated, after];
  if (named(first)) return first;
  if (named(second)) return second;
  // "我们企业想申请社企共建基金，需要什么条件": asked of what the clause before wants to apply for.
  const wanted = !stated && !after && at > 0 ? WANTS_TO_APPLY_FOR.exec(clauses[at - 1]!)?.[1] : undefined;
  if (wanted && named(wanted)) return wanted;
  // "请问下 蓝领公寓 房租 多少", "蓝领公寓 一个月 多少钱": typed as a search is, the words a space before
  // it name the thing, past how often or when.
  for (let i = at - 1; i >= 0 && /^\s+$/u.test(parts[2 * i + 1]!); i--) {
    const spaced = clauses[i]!.replace(ASKING_TO_KNOW, '').replace(HOW_OFTEN_OR_WHEN, '');
    if (spaced) return named(spaced) && !/[我你您]/.test(spaced) ? spaced : undefined;
  }
  return undefined;
}

const HOW_OFTEN_OR_WHEN = /(?:(?:一个?|每个?)(?:月|年|天|晚|周|星期|学期))?(?:早上|上午|中午|下午|晚上|白天|夜里|周末|平时|工作日|节假日)?$/;
const ASKING_WORDS = '请问|想问一?下|问一?下|问问|(?:想|要)?(?:了解|知道|咨询)(?:一下)?';
const ASKING_TO_KNOW = new RegExp(`^(?:${ASKING_WORDS})`);
// What a clause may begin with before it names the thing: "另外我们公司想了解一下有没有…".
const ASKING_FIRST = new RegExp(
  `^(?:另外|还有|顺便|再|那(?![边里儿个些]))?(?:我们?(?:公司|厂里?|单位)?|(?:企业|公司)(?=想|要|了解|知道|咨询))?(?:${ASKING_WORDS})?(?:有没有|是不是|是否|能不能|可不可以)?`,
);
const WANTS_TO_APPLY_FOR = /^\p{Script=Han}{0,6}?(?:想|要|打算|准备)(?:申请|参加|报名|办理|入住|住进?|租|加入)(\p{Script=Han}+?)[吗呢的]?$/u;

const PRONOUN = /^(?:你|您|我|他|她|它|咱)们?$/;
const ASKS_WHETHER_THERE_IS = /\p{Script=Han}(?:有没有|有无)$/u;
const A_NOT_A_AT_END = new RegExp(`${A_NOT_A.source}$`, 'u');

/** False when the question wants one kind of value and no sentence of the passages holds it. */
export function speaksTo(question: string, hits: Hit[], tokenizer: Tokenizer): boolean {
  const says = wantedKind(question);
  return !says || hits.some((hit) => sentencesOf(hit.chunk, tokenizer).some((sentence) => says.test(sentence.text)));
}

// A yes/no question ("…有食堂吗", "…建好没", "有没有…"), and what ends one without saying what is asked.
const YES_NO = /(?:吗|没有?|不)$|有没有|能不能|可不可以|是不是|是否|会不会|让不让|允不允许/;
const YES_NO_TAIL = /(?:[吗呢啊呀吧嘛啦了的]|没有?|不)+$/;
// A question word makes a question ask what, not whether: "有什么特点吗" asks what the features are.
export const QUESTION_WORD = /什么|啥|哪|怎么|怎样|如何|多少|几|谁/;
// Asked of something ("…的X是什么"), an everyday word names an aspect the documents may describe in
// other words (内容, 特点, 对象: "服务对象" is said as whom a service is for); a rarer one names a thing
// they would have to name (押金, 证书, 停车位). On jieba's general counts, aspects are below 10.
const THING_RARITY = 10;
// "有什么补贴", "有哪些优惠": the kind of thing asked for, when the clause ends with it.
const WHAT_KIND = /(?:什么|啥|哪些|哪几?[种类项])(\p{Script=Han}+)$/u;
/**
 * How a procedure is done: "居住证怎么办理", "医保卡怎么申请", "健康证去哪里办", "社保卡怎么办",
 * "身份证丢了怎么办". Bare "怎么办" is so only after a paper: "热水器坏了怎么办" asks for help.
 */
export const ASKS_HOW_IT_IS_DONE =
  /(?:怎么|怎样|如何|咋)(?:才能|才可以|能|可以|去)?(?:办理|申请|补办|领取|报名|登记|提取|开具)|(?:在哪|去哪|到哪)(?:里|儿)?(?:可以|能)?(?:办理|申请|补办|领取|报名|登记|办)|(?<=[证卡照本])(?:丢了|掉了|过期了|到期了)?(?:要|该)?(?:怎么|怎样|如何|咋)办(?=[吗呢啊呀]*(?:$|[\s\p{P}]))/u;
// A word ending in a card, certificate, licence, fee or ticket names a paper or a payment, not what it
// is for: 居住证 is not known because 居住 is, nor 医保卡 because 医保 is (宿舍楼 is still known by 宿舍).
export const PAPER_MARKS = '证卡照费票';
export const PAPERS = new RegExp(`[${PAPER_MARKS}]$`);

/**
 * What a question asks about, when no document mentions it at all. A yes/no question asks about
 * its last content word before the particle ("蓝领公寓有健身房吗" → 健身房, "技能培训发证书吗" → 证书),
 * with a rare word written right before it ("有没有相亲活动" → 相亲活动);
 * a question about something asks about the nouns after its last 的 ("邻里中心的停车位怎么申请" →
 * 停车位), one for a kind of thing about the nouns it ends with ("区里对企业有什么补贴" → 补贴), and
 * any other about the nouns of its clause ("居住证在哪办" → 居住证), unless they are only everyday
 * words for an aspect. A word is known when it, a word
 * inside it (宿舍楼 → 宿舍, but not 居住证 → 居住) or a synonym of either is in the index; one known
 * word is enough.
 * Passages about the apartments say nothing of pets: the answer must say so rather than list them.
 */
export function unmentioned(question: string, scorer: Scorer): string | undefined {
  const missing = unmentionedWord(question, scorer);
  // "蓝领公寓能带孩子住吗" asks who may live there, a value the documents may not state: 孩子 is the
  // form of that question, not a thing they must mention.
  // Nor is 关门 of "晚上几点关门" a thing: it is how opening hours are asked.
  const kind = kindAsked(question);
  return missing && !kind?.asks.exec(question)?.[0].includes(missing) && !kind?.asks.test(missing) ? missing : undefined;
}

function unmentionedWord(question: string, scorer: Scorer): string | undefined {
  const { tokenizer, lexical } = scorer;
  const known = (word: string) =>
    [word, ...(PAPERS.test(word) ? [] : tokenizer.tokenize(word))].some((part) => [...part].length > 1 && (lexical.has(part) || tokenizer.synonymsOf(part).length > 0));
  const words = (text: string) => tokenizer.contentWords(text).filter(({ word }) => [...word].length > 1);
  // "蓝领公寓要不要押金" asks what "蓝领公寓要押金吗" asks ("有没有空床位" is read as it is: 有空 is a word).
  const asking = (text: string) =>
    text
      .split(/[\s\p{P}]+/u)
      .reverse()
      .find((part) => YES_NO.test(part) || QUESTION_WORD.test(part));
  const clause = asking(plainParticles(question)) ?? asking(askedWithMa(plainParticles(question)));
  if (!clause) return undefined;
  if (!QUESTION_WORD.test(clause)) {
    const [first, second] = words(clause.replace(YES_NO_TAIL, '')).slice(-2);
    const [before, focus] = [first?.word, second?.word];
    const last = focus ?? before;
    if (!last) return undefined;
    // "心理咨询有吗": an everyday word for a kind of help (咨询) after what it is about, which the
    // documents know (心理), asks about that help, not about consulting as such.
    const kindOfHelp = focus && before && second!.tag === 'vn' && generalRarity(focus) < THING_RARITY && clause.includes(before + focus) && known(before);
    if (!known(last) && !kindOfHelp) return last;
    // "有没有相亲活动": an everyday word the documents use (活动, 服务) after a rarer one they never do
    // names a thing they do not mention (相亲活动), as long as the two are written together.
    if (focus && before && clause.includes(before + focus) && !known(before) && generalRarity(before) >= THING_RARITY) return before + focus;
    return undefined;
  }
  const before = clause.slice(0, clause.search(QUESTION_WORD));
  const of = before.lastIndexOf('的');
  // "区里对企业有什么补贴": the kind of thing asked for, written right after the asking.
  const kind = WHAT_KIND.exec(clause)?.[1];
  // "居住证怎么办理" asks about 居住证: 办理 is how it is asked, and the documents' 办理涉企服务 says nothing of it.
  const thing = of >= 0 ? before.slice(of + 1) : (kind ?? clause.replace(ASKS_HOW_IT_IS_DONE, ''));
  if (!thing) return undefined;
  // A paper is a thing whatever jieba tags it (驾照, 暂住证: v).
  const nounsOf = (text: string) =>
    words(text)
      .filter(({ word, tag }) => (/^(?:n|vn|eng|j)/.test(tag) || PAPERS.test(word)) && !QUESTION_WORD.test(word))
      .map(({ word }) => word);
  const nouns = nounsOf(thing);
  if (!nouns.length) return undefined;
  if (known(nouns.at(-1)!)) {
    // "养老有什么政策": a kind the documents know (政策), asked of what they never mention (养老), is
    // asked about that; the policies they list are for something else.
    const of = kind && nounsOf(before).at(-1);
    if (of && !known(of) && generalRarity(of) >= THING_RARITY) return of;
    // Nor are "有什么补贴政策", "有哪些扶持政策", "有什么优惠政策": the kind is qualified, written right before
    // it, by what they never mention, and their policies had been listed as if they were those ("什么级别的
    // 开发区" asks the 级别 of a known thing).
    const phrase = kind?.slice(kind.lastIndexOf('的') + 1) ?? '';
    const qualifiers = (words(phrase).length > 1 ? words(phrase).map(({ word }) => word) : tokenizer.tokenize(phrase)).filter((word) => word !== nouns.at(-1));
    return qualifiers.filter((word) => [...word].length > 1 && !known(word) && generalRarity(word) >= THING_RARITY).at(-1);
  }
  // "蓝领公寓健身房在哪": what a known word (蓝领公寓) qualifies is the thing, and the documents never name it.
  return nouns.filter((noun) => generalRarity(noun) >= THING_RARITY).at(-1);
}

/** True when a document's expiry date is before `today` (YYYY-MM-DD). */
export function isExpired(chunk: Chunk, today: string): boolean {
  return chunk.expires !== undefined && chunk.expires < today;
}

export function citationOf(n: number, chunk: Chunk, excerpt: string, today: string): Citation {
  const title = isExpired(chunk, today) ? `${chunk.title}（已于${chunk.expires}失效）` : chunk.title;
  return {
    n,
    title,
    source: chunk.source,
    ...(chunk.section && { section: chunk.section }),
    excerpt: excerpt.length > 160 ? `${excerpt.slice(0, 159)}…` : excerpt,
  };
}

/** 来源：[1]《标题》· 小节 — one line per citation, the way every channel shows sources. */
export function renderCitations(citations: Citation[]): string {
  if (!citations.length) return '';
  return citations.map((citation) => `来源：[${citation.n}]《${citation.title}》${citation.section ? ` · ${citation.section}` : ''}`).join('\n');
}

const ENUMERATED = /^[一二三四五六七八九十]是/;

/**
 * True when most of the character pairs of either sentence stand in the other: the same fact said
 * twice, once perhaps with a little more ("现有资料没有列出每场活动的具体时间和报名方式…").
 */
function repeats(text: string, other: string): boolean {
  const pairs = (value: string) => {
    // "三是全域覆盖，打造…（见《工业邻里中心》）" says what "…全域覆盖，打造…" said: a list's numbering
    // and a pointer to where more is written are not what is said.
    const characters = [...normalizeText(value.replace(ENUMERATED, '').replace(SEE_ALSO, ''))];
    return new Set(characters.slice(0, -1).map((character, i) => character + characters[i + 1]));
  };
  const mine = pairs(text);
  const theirs = pairs(other);
  if (!mine.size || !theirs.size) return true;
  let shared = 0;
  for (const pair of mine) if (theirs.has(pair)) shared++;
  return shared / Math.min(mine.size, theirs.size) >= 0.7;
}

// "多少钱" asks for a price: the documents' numbers are counts, never prices.
const NUMBER_QUESTION = /多少(?!钱)|几[个间处场家所种项条版级维]?|数量|总共|一共|合计/;
// A word that only asks ("培训要多久"): it tells apart sentences on what is asked about, and alone makes
// none of them relevant — "大概多久会联系你" says nothing of the training — unless it is all that is asked.
// With the one character jieba joins to it ("哪里找", "怎么办", "什么样"), still the asking.
const INTERROGATIVE = /^(?:多久|多长时间|多少|多大|多远|几|哪|哪里|哪儿|哪些|什么|啥|怎么|怎样|如何|为什么|谁)\p{Script=Han}?$/u;
// How a question asks, when it asks where, how long or who: "…去哪里", "…多久…", "谁…".
const ASKED_AS = /哪里|哪儿|多久|谁/;
// "员工可以享受哪些服务", "融治理的重点工作有哪些", "功能型产业社区有哪些": what kind of thing is to be
// listed (服务, 重点工作, 功能型产业社区).
const LIST_QUESTION = /(?:哪些|哪几[个种项类])(\p{Script=Han}{1,6}?)[吗呢呀啊]*$|(?:^|的)((?:(?!的)\p{Script=Han}){2,8})(?:有|是|包括)哪些[吗呢呀啊]*$/u;
// "同一个群", "每一个人" say which, not how many.
const HAS_NUMBER = /\d|(?<![同每某])[一二两三四五六七八九十百千万]+[个项处场家类种维级间版]/;
const DEFINITION_QUESTION = /是什么|是啥|干嘛|干什么|做什么|什么意思|啥意思|指什么|是指|^(?:请问)?(?:什么|啥)(?:是|叫)/;

const CITATION_MARK = /\[\d+\]/g;

/**
 * What is said around where one is: "我在…上班", "我们公司在…", "我是…一家厂的员工", "住…宿舍", "…那边".
 * Also read by the handoff desk, when it asks which community.
 */
export const AROUND_A_PLACE = /[\p{P}\p{S}]|我们?|本人|[一这那]家|公司|企业|单位|厂里?|家|宿舍|是|在|住|来自|就|上班|工作|打工|的|员工|职工|这边|那边|这里|那里|附近|呢|啊|吧/gu;

/** What the asker may say they are ("我是HR", "我是公司人事", "本人是新员工"): who asks, not what. */
const A_ROLE = /hr|人事|人力资源?|行政|招聘专员|新人|新来的|老板|负责人|经理|主管|普工|技工|工人|实习生/g;

/** "我们是新能源企业", "我是一家做电池的公司的HR": what kind of firm the asker is from. */
const A_FIRM_OF_SOME_KIND = /^(?:我们|我司|本公司|我)(?:公司|企业|厂)?(?:是|属于)(?:一家|一个)?(\p{Script=Han}{1,12}?)的?(?:企业|公司|工厂|厂|单位)的?$/u;

/**
 * The question without the clauses that only say where the asker is or what their job is: "我在医药港
 * 上班，邻里中心有几个" asks about the centres, wherever they are, and its answer is not to be looked
 * for among passages about 医药港; "我是HR，想了解企业能享受哪些服务" asks about the services, and HR,
 * a word no document uses, made it look unanswered. So does a kind of firm the district's terms do not
 * name ("我们是新能源企业"). A clause that says more ("我们是生物医药企业", which has its own service
 * point) is part of the question, and a place the question names itself stays in it ("我在医药港，医药港有几个邻里中心").
 */
export function withoutWhoAndWhereIAm(question: string, tokenizer: Tokenizer): string {
  const clauses = question.split(/(?<=[，,。；;！!\s])/);
  const onlyWhoOrWhere = (clause: string) => {
    const plain = normalizeText(clause).replace(/[\p{P}\s]+/gu, '');
    const firm = A_FIRM_OF_SOME_KIND.exec(plain.replace(A_ROLE, ''))?.[1];
    if (firm && !tokenizer.termsIn(firm).length && !tokenizer.synonymGroupsIn(firm).length && !tokenizer.placesIn(firm).length) return true;
    const places = tokenizer.placesIn(plain);
    const rest = places.reduce((text, place) => text.replaceAll(place, ''), plain).replace(A_ROLE, '');
    return rest.length < plain.length && !rest.replace(AROUND_A_PLACE, '');
  };
  const rest = clauses.filter((clause) => !onlyWhoOrWhere(clause));
  return rest.length && rest.length < clauses.length ? rest.join('').trim() : question;
}

/** The sentences of an answer that say a number of something ("8小时内" is a name, not a count). */
function countsIn(answer: string, tokenizer: Tokenizer): string[] {
  return splitSentences(answer.replace(CITATION_MARK, ''))
    .map(normalizeText)
    .filter((sentence) => HAS_NUMBER.test(tokenizer.withoutTerms(sentence)));
}

// How many, not which ("有哪几个维度") nor when ("几点", "几月").
const HOW_MANY = /多少(?!钱)|(?<!哪)几[个间处场家所种项条版级维位名人]|数量|总共|一共|合计/;

/**
 * True when a question asks how many and the answer gives no number at all ("临江社区有几个社工").
 * "房租多少" asks a price, whose answer has its own kind (above).
 */
export function countNotStated(question: string, answer: string, tokenizer: Tokenizer): boolean {
  if (!HOW_MANY.test(question) || kindAsked(question)) return false;
  const counts = countsIn(answer, tokenizer);
  const thing = countedThing(question, tokenizer);
  // Nor does a count of something else: "医药港产业社区有几个社工" is not answered by "5个功能型产业社区".
  // A measure word of its own says what is counted as well: "几场活动" is answered by "共66场".
  const measure = /(?:多少|几)([间处场家所种项条版级维位名])/.exec(question)?.[1];
  const ofTheThing = (sentence: string) => givesANumberOf(thing!, sentence, tokenizer) || (measure !== undefined && new RegExp(`\\d${measure}`).test(sentence));
  return counts.length === 0 || (thing !== undefined && !counts.some(ofTheThing));
}

/** What a count is asked of, when it is a word of two characters or more: "临江社区有几个社工" → 社工. */
function countedThing(question: string, tokenizer: Tokenizer): string | undefined {
  const at = HOW_MANY.exec(question);
  const word = at && tokenizer.contentWords(question.slice(at.index + at[0].length))[0]?.word;
  return word && [...word].length > 1 ? word : undefined;
}

/** Whether a sentence gives a number of `thing` or of one of its synonyms ("14108间房源" of 房间). */
function givesANumberOf(thing: string, sentence: string, tokenizer: Tokenizer): boolean {
  const names = [thing, ...tokenizer.synonymsOf(thing)].map(escapeRegExp).join('|');
  return new RegExp(`(?:\\d|[一二两三四五六七八九十百千万])[^，。；,;\\d]{0,6}?(?:${names})`).test(sentence);
}

/**
 * The place a count is asked of, as the question names it, when none of the answer's numbers is that
 * place's own: "新雁邻里中心能住多少人" answered by the five centres' total ("合计可提供14108间房源"),
 * "医药港开展过几场活动" by the 66 of all the parks. A number is a place's own when its sentence names
 * that place and no other.
 */
export function countNotOf(question: string, answer: string, tokenizer: Tokenizer): string | undefined {
  // "邻里中心一共有多少房间" names no place: the total answers it.
  if (!NUMBER_QUESTION.test(question)) return undefined;
  const asked = tokenizer.placesIn(question);
  if (!asked.length) return undefined;
  const related = (place: string) => asked.some((one) => one.includes(place) || place.includes(one));
  const counts = countsIn(answer, tokenizer);
  const own = (sentence: string) => {
    const named = tokenizer.placesIn(sentence);
    return named.length > 0 && named.every(related);
  };
  if (!counts.length || counts.some(own)) return undefined;
  // Places as the question writes them: names inside or beside each other as one (临江街道, 白杨街道邻里社区),
  // with the kind of place after them when it says it (新雁邻里中心, not 新雁).
  const normalized = normalizeText(question);
  const terms = tokenizer.termsIn(question);
  const spans: [number, number][] = [];
  const named = asked.map((place): [number, number] => [normalized.indexOf(place), normalized.indexOf(place) + place.length]);
  for (const [start, end] of named.sort((a, b) => a[0] - b[0])) {
    const last = spans.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  return spans
    .map(([start, end]) => {
      const after = normalized.slice(end);
      return normalized.slice(start, end) + (terms.filter((term) => after.startsWith(term)).sort((a, b) => b.length - a.length)[0] ?? '');
    })
    .join('、');
}

/**
 * Whether a sentence lists things of the kind asked for: "已提供技术技能培训、心理健康关怀……等服务", or
 * begins an enumeration under a heading that names the kind ("四项重点工作" above "一是顶层设计…").
 */
function listsKind(question: string, tokenizer: Tokenizer): ((normalized: string, section: string) => boolean) | undefined {
  const asked = LIST_QUESTION.exec(normalizeText(question).replace(/[\s\p{P}]+$/u, ''));
  const kind = asked?.[1] ?? asked?.[2];
  if (!kind) return undefined;
  // "功能型社区有哪些" names 功能型产业社区 short.
  const named = [kind, ...tokenizer.termsShortenedTo(kind)].map(escapeRegExp).join('|');
  // "新建了5个功能型产业社区，包括医药港产业社区、大创小镇产业社区等": a comma may come before 包括.
  const lists = new RegExp(`、[^。；]*等(?:${named})|(?:${named}),?(?:包括|有|分为)[^。；]*、`);
  return (normalized, section) => lists.test(normalized) || (ENUMERATED.test(normalized) && section.includes(kind));
}

/** "共富可及服务可达是什么": asks what a thing is, not for a service. */
export function asksWhatItIs(question: string): boolean {
  return DEFINITION_QUESTION.test(question);
}

const MAX_ANSWER_CHARACTERS = 170;
// "现有资料没有写明房租标准……", "……现有资料没有说明": a sentence on what the documents do not say.
const SAYS_UNSTATED = /现有资料(?:里)?(?:没有|只点名)|没有(?:写明|列出|说明)/;
// A sentence that begins by pointing back at what the one before it named.
const POINTS_BACK = /^(?:这些|这个|该|它们|它|其|此|上述|以上|两份|两类|两者|二者|双方)/;
// "以下是已出台的政策文件及各自的用途。", "具体如下：": a sentence that announces what follows says nothing alone.
const ANNOUNCES = /(?:以下|如下)[是为有：:]|[：:]\s*$/;
const COMPARISON = /区别|区分|不同|差别|差异|不一样|异同|对比|比较/;
const CONJUNCTION = /[和与跟同及]/;

/**
 * The two things a comparison question sets side by side ("建制型和功能型有啥区别" → 建制型,
 * 功能型): the longest word of the question on each side of the conjunction.
 */
function comparedSides(question: string, terms: { term: string; long: boolean }[]): [string, string] | undefined {
  const normalized = normalizeText(question);
  if (!COMPARISON.test(normalized)) return undefined;
  const at = normalized.search(CONJUNCTION);
  if (at <= 0) return undefined;
  const longest = (part: string) => terms.find(({ term, long }) => long && part.includes(term) && !COMPARISON.test(term))?.term;
  const left = longest(normalized.slice(0, at));
  const right = longest(normalized.slice(at + 1).split(COMPARISON)[0]!);
  return left && right && !left.includes(right) && !right.includes(left) ? [left, right] : undefined;
}

/**
 * The offline answer: the sentences of the top passages that best answer the question, each
 * followed by the number of its passage. Nothing is added that the passages do not say.
 */
export function extractiveAnswer(question: string, hits: Hit[], scorer: Scorer, today: string): { text: string; citations: Citation[] } {
  const { tokenizer } = scorer;
  const asked = tokenizer.placesIn(question);
  // A word inside a place's name (医药 of 医药港) is not asked about on its own.
  const unnamed = asked.reduce((text, place) => text.replaceAll(place, ' '), normalizeText(question));
  // "心理咨询在哪里做": a verb of one character (做, 办, 去) says how, as the asking does, not what about;
  // "……做什么等问题" had answered it.
  const short = tokenizer.contentWords(question).filter(({ word }) => [...word].length === 1);
  const lightVerbs = new Set(short.filter(({ tag }) => tag === 'v').map(({ word }) => word));
  // An adjective of one character says which, and nothing of what: the 新 of "新入驻的企业" had found
  // "……新环境" and "钱塘(新)区".
  const which = new Set(short.filter(({ tag }) => tag === 'a').map(({ word }) => word));
  // Nor is a word inside a term the question names, said nowhere else in it, unless a synonym of the term
  // (中心 of 邻里中心; 心理 of 心理健康 is asked): "邻里中心去哪里申请" had been answered with the 区企业综合服务中心.
  const named = tokenizer.termsIn(unnamed);
  const free = named.reduce((text, term) => text.replaceAll(term, ' '), unnamed);
  const partOfAWhole = (term: string) =>
    unnamed.includes(term) && !free.includes(term) && !named.includes(term) && !named.some((whole) => whole.includes(term) && tokenizer.synonymsOf(whole).includes(term));
  const terms = [...tokenizer.queryTerms(question)]
    .filter(([term]) => !which.has(term) && !partOfAWhole(term) && (unnamed.includes(term) || !asked.some((place) => place !== term && place.includes(term))))
    .sort((a, b) => b[0].length - a[0].length)
    .map(([term, weight]) => ({
      term,
      weight,
      idf: scorer.lexical.idf(term),
      long: [...term].length > 1,
      asks: INTERROGATIVE.test(term) || lightVerbs.has(term),
      // The longer terms the question does not name that begin with a word it says itself, and are
      // another thing (社区工作者 of 社区; 产业社区 is a 社区, 心理健康 a synonym of 心理).
      modifies: weight < 1 ? [] : tokenizer.termsHolding(term).filter((holder) => !unnamed.includes(holder) && !holder.endsWith(term) && !tokenizer.synonymsOf(term).includes(holder)),
    }));
  // "大创小镇属于哪类" is not answered by "钱塘芯谷产业社区属于哪类，资料没有说明": a sentence that names
  // another place, and not the one asked about (nor does its passage's heading), is about that place.
  const related = (place: string) => asked.some((one) => one.includes(place) || place.includes(one));
  const elsewhere = (normalized: string, heading: string) =>
    asked.length > 0 && !asked.some((place) => normalized.includes(place) || heading.includes(place)) && tokenizer.placesIn(normalized).some((place) => !related(place));
  // "社企共建基金能申请多少钱" is not answered from a passage about the centres ("现有资料没有写明房租
  // 标准、入住条件和申请办法"): when the question names the glossary's terms, a passage must name one of
  // them (or a synonym) somewhere. Terms in half the passages or more (钱塘区) say nothing of a subject.
  const subjects = tokenizer
    .termsIn(question)
    .filter((term) => !asked.includes(term) && scorer.lexical.idf(term) > Math.log(2))
    .map((term) => [term, ...tokenizer.synonymsOf(term)]);
  const says = wantedKind(question);
  // Nor is "评选示范单元有什么条件", which names no glossary term: a passage that holds the kind of value
  // asked for answers only when it also has a word of what it is asked of.
  const topical = says ? terms.filter(({ term, long, weight }) => long && weight === 1 && !says.test(term)) : [];
  const offSubject = (chunk: Chunk) => {
    const whole = haystackOf(chunk);
    if (subjects.length > 0 && !subjects.some((words) => words.some((word) => whole.includes(word)))) return true;
    return topical.length > 0 && !topical.some(({ term }) => whole.includes(term));
  };
  // "这个要多久" (of a repair being filed) names nothing else: what it asks is all there is to go by.
  const onlyAsks = terms.every(({ asks }) => asks);
  const wantsNumber = NUMBER_QUESTION.test(question);
  // "建制型社区有几个" is answered by "4个建制型产业社区", which counts what is asked, before "分为……两类".
  const countable = wantsNumber ? terms.filter(({ long, asks, weight }) => long && !asks && weight === 1).map(({ term }) => escapeRegExp(term)) : [];
  const countsThing = countable.length ? new RegExp(`(?:\\d+|[一二两三四五六七八九十百千]+)(?:余|多)?万?[个项处场家类种间名位]?(?:${countable.join('|')})`) : undefined;
  const countsAsked = (normalized: string) => countsThing?.test(normalized) ?? false;
  // "找社工线下去哪里" under the heading "线下可以去哪里": a heading asked the way the question is asks it.
  const askedAs = ASKED_AS.exec(question)?.[0];
  // Such a heading that, with its document's title, also names all the question names (or a synonym of
  // each: "怎么联系社区工作者 · 线下可以去哪里") heads the answer, as an FAQ entry's question does.
  const content = terms.filter(({ long, asks, weight }) => long && !asks && weight === 1);
  const headsAnswer = ({ chunk }: Hit) =>
    askedAs !== undefined &&
    content.length > 0 &&
    normalizeText(chunk.section).includes(askedAs) &&
    content.every(({ term }) => [term, ...tokenizer.synonymsOf(term)].some((word) => headingOf(chunk).includes(word)));
  const listing = listsKind(question, tokenizer);
  const wantsDefinition = asksWhatItIs(question);
  const sides = comparedSides(question, terms);
  type Candidate = { hit: number; position: number; text: string; normalized: string; score: number };
  const candidates: Candidate[] = [];
  hits.slice(0, 5).forEach((hit, rank) => {
    // A sentence that holds the phone number or the price asked for rarely names its subject
    // again: for those questions the document's title counts as a heading too.
    const heading = headingOf(hit.chunk);
    const section = says ? heading : normalizeText(hit.chunk.section);
    if (offSubject(hit.chunk)) return;
    sentencesOf(hit.chunk, tokenizer).forEach(({ text: sentence, normalized, words, count }, position) => {
      if ((says && !says.test(sentence)) || ANNOUNCES.test(sentence)) return;
      if (elsewhere(normalized, heading)) return;
      const counted: { term: string; value: number; asks: boolean }[] = [];
      for (const { term, weight, idf, long, asks, modifies } of terms) {
        // The heading is part of what a passage says ("房源" above "合计可提供14108间").
        // A single character must stand as a word: 钱 in "多少钱" is not the 钱 of "钱塘".
        // Nor is a word asked there as part of another thing: 社区 of "社区有没有心理咨询" is not in 社区工作者.
        const inSentence = long ? modifies.reduce((rest, holder) => rest.replaceAll(holder, ' '), normalized).includes(term) : words.has(term);
        const where = inSentence ? 1 : long && section.includes(term) ? 0.6 : 0;
        if (!where) continue;
        const value = where * weight * idf;
        // A compound's parts (邻里中心 → 邻里, 中心) are the same evidence: counted once, as the
        // strongest of them — 心理 asked, inside the synonym 心理健康 a sentence says, is 心理.
        const compound = counted.filter((other) => other.term.includes(term)).sort((a, b) => b.value - a.value)[0];
        if (compound) compound.value = Math.max(compound.value, value);
        else counted.push({ term, value, asks });
      }
      let score = counted.reduce((sum, { value, asks }) => (asks ? sum : sum + value), 0);
      const asking = counted.reduce((sum, { value, asks }) => (asks ? sum + value : sum), 0);
      if (score > 0 || onlyAsks) score += asking;
      if (wantsNumber && count) score *= countsAsked(normalized) ? 2.25 : 1.5;
      if (askedAs && section.includes(askedAs)) score *= 1.5;
      // A document's opening lines say what its subject is.
      if (wantsDefinition && !hit.chunk.section) score *= 1.6;
      score *= 1 - 0.08 * rank;
      if (score > 0) candidates.push({ hit: rank, position, text: sentence, normalized, score });
    });
  });
  if (!candidates.length) return { text: '', citations: [] };
  const ranked = [...candidates].sort((a, b) => b.score - a.score);
  // "员工可以享受哪些服务" is answered by the sentence that lists services, however common a word
  // 服务 is; its passage is on the question's subject (above), or it would not be here.
  const list = listing ? ranked.findIndex((candidate) => listing(candidate.normalized, normalizeText(hits[candidate.hit]!.chunk.section))) : -1;
  if (list > 0) ranked.unshift(...ranked.splice(list, 1));
  const headed = list < 0 ? ranked.findIndex((candidate) => headsAnswer(hits[candidate.hit]!)) : -1;
  if (headed > 0) ranked.unshift(...ranked.splice(headed, 1));
  const lead = ranked[0]!;
  const chosen: Candidate[] = [lead];
  let length = lead.text.length;
  // A best sentence that points back is read with the ones it points to: "它们发挥……" with "这些文件……"
  // and the sentence that names the documents.
  const leadSentences = sentencesOf(hits[lead.hit]!.chunk, tokenizer);
  let first = lead.position;
  while (first > 0 && POINTS_BACK.test(leadSentences[first]!.text)) first--;
  const pointedTo = leadSentences.slice(first, lead.position);
  const pointedLength = pointedTo.reduce((sum, { text }) => sum + text.length, 0);
  if (pointedTo.length && length + pointedLength <= MAX_ANSWER_CHARACTERS) {
    pointedTo.forEach(({ text, normalized }, i) => chosen.push({ hit: lead.hit, position: first + i, text, normalized, score: 0 }));
    length += pointedLength;
  }
  // The best sentence often names the topic and the next one says the substance
  // ("发布了《指导手册》。" → "手册制定了'一图三清单N场景'……"): keep them together.
  // Not one about another place: "钱塘芯谷产业社区属于建制型还是功能型，现有资料没有说明" had followed a
  // sentence naming both 芯谷 and 医药港, in the answer to "医药港属于哪种社区".
  // Nor one that says what the documents leave unsaid of places the question names none of: "企业怎么对接
  // 产业社区" had also been told that 钱塘芯谷's type is not stated.
  const unstatedOfAPlaceNotAsked = ({ text, normalized }: { text: string; normalized: string }) => {
    const places = tokenizer.placesIn(normalized);
    return SAYS_UNSTATED.test(text) && places.length > 0 && !places.some(related);
  };
  const successor = leadSentences[lead.position + 1];
  const leadHeading = headingOf(hits[lead.hit]!.chunk);
  if (
    successor &&
    (!says || says.test(successor.text)) &&
    !ANNOUNCES.test(successor.text) &&
    !elsewhere(successor.normalized, leadHeading) &&
    !unstatedOfAPlaceNotAsked(successor) &&
    length + successor.text.length <= MAX_ANSWER_CHARACTERS
  ) {
    chosen.push({ hit: lead.hit, position: lead.position + 1, text: successor.text, normalized: successor.normalized, score: 0 });
    length += successor.text.length;
  }
  // "它健全了人员选配……" or "这些标准打通了……" without the sentence before it says nothing of what.
  const dangles = (candidate: Candidate) =>
    POINTS_BACK.test(candidate.text) && !chosen.some((other) => other.hit === candidate.hit && other.position === candidate.position - 1);
  const fits = (candidate: Candidate) =>
    !dangles(candidate) &&
    !chosen.some((other) => (other.hit === candidate.hit && other.position === candidate.position) || repeats(candidate.text, other.text)) &&
    length + candidate.text.length <= MAX_ANSWER_CHARACTERS;
  const readWhole = (item: Candidate, { passage = false } = {}) => {
    const sentences = sentencesOf(hits[item.hit]!.chunk, tokenizer);
    let [start, end] = passage ? [0, sentences.length] : [item.position, item.position + 1];
    while (start > 0 && ENUMERATED.test(sentences[start - 1]!.text)) start--;
    while (sentences[end] && ENUMERATED.test(sentences[end]!.text)) end++;
    const rest = sentences
      .slice(start, end)
      .map(({ text, normalized }, i) => ({ hit: item.hit, position: start + i, text, normalized, score: 0 }))
      .filter((candidate) => !chosen.some((other) => other.hit === candidate.hit && other.position === candidate.position));
    const added = rest.reduce((sum, candidate) => sum + candidate.text.length, 0);
    if (length + added > MAX_ANSWER_CHARACTERS) return;
    chosen.push(...rest);
    length += added;
  };
  // The things asked for, listed one by one, come before anything else the passages say.
  if (list >= 0 && ENUMERATED.test(lead.text)) readWhole(lead);
  if (headed >= 0) readWhole(lead, { passage: true });
  // A comparison is answered by what is said of each side on its own, however the sentence naming both ranks.
  for (const side of sides ?? []) {
    const other = sides!.find((one) => one !== side)!;
    const about = (candidate: Candidate) => candidate.normalized.includes(side) && !candidate.normalized.includes(other);
    if (chosen.some(about)) continue;
    const best = ranked.find((candidate) => about(candidate) && fits(candidate));
    if (!best) continue;
    chosen.push(best);
    length += best.text.length;
  }
  // What another document says is left unsaid is about that document's subject: "区里出过哪些标准"
  // is not also told that the centres' 房租标准 is not stated. Nor is what is left unsaid of places the
  // question names none of added: "建制型社区是什么" is not told that 钱塘芯谷's type is not stated.
  const unstatedElsewhere = (candidate: Candidate) =>
    unstatedOfAPlaceNotAsked(candidate) || (SAYS_UNSTATED.test(candidate.text) && hits[candidate.hit]!.chunk.source !== hits[lead.hit]!.chunk.source);
  // Another passage adds a sentence only of what the question names: "邻里中心去哪里申请" is not also told
  // where enterprises go, from a passage that names the centres elsewhere.
  const aside = (candidate: Candidate) => {
    if (candidate.hit === lead.hit || !subjects.length) return false;
    const heading = headingOf(hits[candidate.hit]!.chunk);
    return !subjects.some((words) => words.some((word) => candidate.normalized.includes(word) || heading.includes(word)));
  };
  for (const candidate of ranked.slice(1)) {
    if (candidate.score < lead.score * 0.55 || chosen.length >= 3) break;
    if (!fits(candidate) || unstatedElsewhere(candidate) || aside(candidate)) continue;
    chosen.push(candidate);
    length += candidate.text.length;
  }
  // An enumeration is read whole when it fits: "一是…二是…三是" of four would say there are three.
  for (const item of [...chosen].filter((candidate) => ENUMERATED.test(candidate.text))) readWhole(item);
  // The fact first ("钱塘区有多少产业工人" → "…30余万产业员工…"): the best sentence's passage leads,
  // then the others in rank order, each passage's sentences in reading order.
  const order = (candidate: Candidate) => (candidate.hit === lead.hit ? -1 : candidate.hit);
  chosen.sort((a, b) => order(a) - order(b) || a.position - b.position);

  const numbers = new Map<number, number>();
  const citations: Citation[] = [];
  const parts = chosen.map((candidate) => {
    let n = numbers.get(candidate.hit);
    if (n === undefined) {
      n = numbers.size + 1;
      numbers.set(candidate.hit, n);
      const chunk = hits[candidate.hit]!.chunk;
      const excerpt = chosen.filter((other) => other.hit === candidate.hit).map((other) => other.text).join('');
      citations.push(citationOf(n, chunk, excerpt, today));
    }
    const body = candidate.text.replace(/[。；;！!]+$/, '');
    const end = /[？?]$/.test(body) ? '' : '。';
    return `${body}[${n}]${end}`;
  });
  return { text: parts.join(''), citations };
}
