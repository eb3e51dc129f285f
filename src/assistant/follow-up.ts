import { A_NOT_A, askedWithMa, escapeRegExp, normalizeText, plainParticles } from '../retrieval/text.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { PAPER_MARKS, PAPERS, QUESTION_WORD, wantsAValue } from './grounding.ts';
import { acknowledges, announcesQuestion, asksSomething, declinesOffer } from './router.ts';

// "那临江的呢？" "还有呢" "芯谷的呢" "那个呢": short, elliptical, leaning on what came before.
const LEADING = /^(那|那么|那个|还有|另外|其他|其它|再|又|以及|和)/;
const TRAILING = /(呢|咧|嘞)$/;
// "谁管", "怎么用", "有几版", "多少钱": question words and little else ask about the last topic.
const BARE_QUESTION_LENGTH = 6;
// "医药港有没有", "芯谷有吗": asked whether a place named has what the topic is about.
const WHETHER_THERE_IS = /有没有?$|有(吗|么)$/;
const PLACE_HAS = /^(?:那|那么)?(?:也|还)?(?:有没有?|有吗|有么)$/;
// "你是谁", "我找谁": about the bot or the asker, not the topic.
const PERSON = /[你您我]/;
const ASKED_WHETHER = /[吗么]$/;

type Names = Pick<Tokenizer, 'termsIn' | 'placesIn' | 'contentWords'>;

/** True when a message only makes sense with the previous question. */
export function isFollowUp(text: string, names: Names): boolean {
  const normalized = normalizeText(text).replace(/[？?。！!，,、]/g, '');
  // "还有一个问题" leans on nothing: the question is still to come. Nor do "那好吧", "那算了": heard, and no.
  if (!normalized || normalized.length > 14 || announcesQuestion(normalized) || acknowledges(normalized) || declinesOffer(normalized)) return false;
  if (TRAILING.test(normalized) || (LEADING.test(normalized) && normalized.length <= 8)) return true;
  // "医药港有没有", "芯谷也有吗": a place and whether it has what was asked about.
  const besidesPlaces = names.placesIn(normalized).reduce((rest, place) => rest.replaceAll(place, ''), normalized);
  if (besidesPlaces !== normalized && PLACE_HAS.test(besidesPlaces)) return true;
  // "要钱吗", "远吗": asking for a value of nothing named is asking it of the topic; so is "要不要押金".
  const bare = QUESTION_WORD.test(normalized) || wantsAValue(normalized) || A_NOT_A.test(normalized) || asksWhetherItIsDone(normalized, names) || asksWhetherItTakes(normalized, names);
  return normalized.length <= BARE_QUESTION_LENGTH && bare && !PERSON.test(normalized) && !names.termsIn(normalized).length;
}

/**
 * "建好了吗", "能参加吗": whether something is done, asked with one verb of two characters or more and
 * nothing else. Not "在吗", "是吗", "好吗", which greet or hear, nor "忙吗", "吃了吗", which are small talk.
 */
function asksWhetherItIsDone(normalized: string, names: Names): boolean {
  if (!ASKED_WHETHER.test(normalized) || names.placesIn(normalized).length) return false;
  const words = names.contentWords(normalized);
  return words.length === 1 && words[0]!.tag === 'v' && [...words[0]!.word].length >= 2;
}

/** "要押金吗", "有食堂吗", "需要体检吗": whether the topic takes or has one thing, and nothing else said. */
const STARTS_TAKES_OR_HAS = /^(?:也|还)?(?:要|需要|有)(?![人谁])/;

function asksWhetherItTakes(normalized: string, names: Names): boolean {
  if (!ASKED_WHETHER.test(normalized) || !STARTS_TAKES_OR_HAS.test(normalized) || names.placesIn(normalized).length) return false;
  const words = names.contentWords(normalized);
  return words.length === 1 && [...words[0]!.word].length >= 2;
}

/**
 * The offline rewrite: the follow-up carries the topic (the question asked on its own before it)
 * along. A place it names takes the place of the one asked about: "那白杨街道呢" after
 * "大创小镇是什么类型的社区" asks what type 白杨街道 is, and so does the topic from then on (a topic that
 * named no place takes it: "那临江的呢" after "邻里中心有几个"); so does
 * another thing of the kind the topic asks about ("那社保卡呢" after "居住证怎么办理").
 */
export function carryOverTopic(text: string, topic: string, names: Names): { question: string; topic: string } {
  const now = names.placesIn(text);
  const before = names.placesIn(topic);
  let carried = topic;
  const place = now.length ? now.reduce((longest, one) => (one.length > longest.length ? one : longest)) : undefined;
  if (place && before.length && !before.some((one) => now.includes(one))) {
    const named = new RegExp(`(?:${[...before].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})+`, 'g');
    carried = normalizeText(topic).replace(named, place);
  }
  // "怎么申请" after "蓝领公寓有多少房间" asks how to apply for the apartments, not how many rooms
  // they have: a follow-up that asks its own question of nothing it names goes with the topic's subject.
  const own = normalizeText(text).replace(LEADING, '').replace(/[呢咧嘞]?[？?。！!]*$/, '');
  const subject = subjectOf(carried);
  // "那社保卡呢" after "居住证怎么办理", "那人才公寓呢" after "蓝领公寓房租多少": another thing of the
  // same kind is asked the same of. Read with the topic, the answer had named 居住证 again.
  const thing = subject && !now.length && !asksSomething(own) ? thingOfKind(subject, own) : undefined;
  if (thing) {
    const asked = carried.replace(thing, own);
    return { question: asked, topic: asked };
  }
  if (subject && asksSomething(own) && !now.length && !names.termsIn(own).length) {
    // What is asked of the subject is the topic from then on ("那人才公寓呢" after "要押金吗" asks about
    // the deposit), as long as the subject can still be read from it (not from "临江的邻里中心建好了吗").
    const asked = subject + own;
    return { question: asked, topic: subjectOf(asked) === subject ? asked : carried };
  }
  // "医药港有没有" after "企业社会工作站是什么" asks whether 医药港 has one.
  const whether = WHETHER_THERE_IS.exec(own);
  if (subject && whether && now.length && !names.placesIn(subject).length) {
    return { question: `${own.slice(0, whether.index)}${whether[1] ? `有${subject}吗` : `有没有${subject}`}`, topic: carried };
  }
  // "那临江的呢" after "邻里中心有几个" asks about 临江's, and so does "建好了吗" after it.
  const placed = place && !before.length ? `${place}的${normalizeText(carried)}` : carried;
  return { question: `${text.replace(/[？?]+$/, '')}，${placed}`, topic: placed };
}

/**
 * What a subject names of the kind `other` is ("蓝领公寓房租" → 蓝领公寓 for 人才公寓, "居住证" for 社保卡):
 * up to the last character they share (公寓, 中心), or to its last paper or payment (证, 卡, 费, 票).
 */
function thingOfKind(subject: string, other: string): string | undefined {
  if ([...other].length < 2 || [...other].length > 8 || PERSON.test(other)) return undefined;
  const last = PAPERS.test(other) ? Math.max(...[...PAPER_MARKS].map((mark) => subject.lastIndexOf(mark))) : subject.lastIndexOf(other.at(-1)!);
  const thing = subject.slice(0, last + 1);
  return last >= 1 && thing !== other ? thing : undefined;
}

/**
 * What a question names before it asks what: "蓝领公寓有多少房间" → 蓝领公寓, "社企共建基金是什么" →
 * 社企共建基金; or, asked whether, before what it has or takes: "房间有空调吗" → 房间, "人才公寓要押金吗"
 * → 人才公寓.
 */
function subjectOf(question: string): string | undefined {
  const parts = question.split(/[\s\p{P}]+/u);
  const clause = parts.findLast((part) => QUESTION_WORD.test(part));
  const before = clause ? clause.slice(0, clause.search(QUESTION_WORD)) : HAS_OR_TAKES.exec(askedWithMa(plainParticles(parts.findLast(Boolean) ?? '')))?.[1];
  const subject = before
    ?.replace(/^(?:请问|麻烦问一?下|想问一?下|问一?下)/, '')
    .replace(/(?:的|是|有|能|可以|在|属于)+$/, '');
  return subject && [...subject].length >= 2 ? subject : undefined;
}

/** "房间有空调吗", "宿舍有没有洗衣机" (有…吗), "人才公寓要押金吗": what is asked whether it has or takes a thing. */
const HAS_OR_TAKES = /^(\p{Script=Han}{2,}?)(?:有|要|需要|能|可以)\p{Script=Han}+[吗么]$/u;

/** At most this many questions of one message are answered, each on its own. */
const MAX_QUESTIONS = 3;

/** A question of a message as it was asked, and as it stands alone ("在哪" → "在哪，邻里中心有几个"). */
export type AskedQuestion = { asked: string; question: string };

/**
 * The questions a message asks one after another ("邻里中心有几个？房租多少？", "五融是什么，四项重点
 * 工作是什么"), to be answered each on its own: one search for both finds the passages of one. A
 * clause that asks nothing ("我在医药港上班，") goes with the question after it, and a question that
 * leans on the one before ("在哪") carries its topic. `forTheDocuments` tells a question from a
 * greeting ("在吗？"): unless two questions are for the documents, the message is one question.
 */
export function questionsIn(text: string, names: Names, forTheDocuments: (question: string) => boolean): AskedQuestion[] {
  const asked: string[] = [];
  let pending = '';
  for (const clause of text.split(/(?<=[，,；;。！!？?])/)) {
    pending += clause;
    if (asksSomething(clause)) {
      asked.push(pending.replace(/[，,；;。]+$/, '').trim());
      pending = '';
    }
  }
  const whole = [{ asked: text, question: text }];
  if (asked.length < 2 || asked.length > MAX_QUESTIONS || pending.trim()) return whole;
  const questions = asked.map((one, i) => ({ asked: one, question: i > 0 && isFollowUp(one, names) ? carryOverTopic(one, asked[i - 1]!, names).question : one }));
  return questions.every(({ question }) => forTheDocuments(question)) ? questions : whole;
}
