import { chinaDate, type Clock } from '../clock.ts';
import type { Timings } from '../timings.ts';
import type { Logger } from '../logger.ts';
import type { ChatModel } from '../llm/chat-model.ts';
import type { Prompts } from '../llm/prompts.ts';
import type { Hit } from '../retrieval/knowledge-index.ts';
import type { KnowledgeService } from '../retrieval/knowledge-service.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { FaqMatcher } from './faq.ts';
import { citationOf, countNotOf, countNotStated, extractiveAnswer, isExpired, relevance, speaksTo, unmentioned, wantedValue, type Scorer } from './grounding.ts';
import { replies } from './replies.ts';
import type { Citation } from './types.ts';

export type AnswerOutcome = {
  answered: boolean;
  text: string;
  citations: Citation[];
  relevance: number | null;
  via: 'faq' | 'model' | 'extractive' | 'none';
  /** What the question asks about that no document mentions (the answer says so); not a matter of relevance. */
  unmentioned?: string;
  /** The value asked for that the documents do not state (the answer says so); not a matter of relevance. */
  notStated?: string;
};

type Evidence = { faq?: Hit['chunk']; current: Hit[]; expired: Hit[]; score: number; expiredScore: number; scorer: Scorer; today: string };

type Grounding =
  | { kind: 'faq'; chunk: Hit['chunk']; today: string }
  | { kind: 'passages'; hits: Hit[]; score: number; expiredOnly?: string | undefined; scorer: Scorer; today: string }
  | { kind: 'none'; score: number; lacks?: string | undefined; scorer: Scorer };

export type AnswerOptions = { minRelevance: number; faqMinSimilarity: number; answerTimeoutMs: number; k?: number };

const NO_ANSWER_TOKEN = 'NO_ANSWER';

/** No answer: what the documents do not state, when the question wants one kind of value, else that they do not say. */
function notAnswered(lacks: string | undefined, relevance: number | null, emit: (text: string) => void): AnswerOutcome {
  const text = lacks ? replies.notStated(lacks) : replies.noAnswer;
  emit(text);
  return { answered: false, text, citations: [], relevance, via: 'none', ...(lacks ? { notStated: lacks } : {}) };
}
/** Asked when, and what speaks to a when: a year, a month, a day, a time of year, or 时间 (even "具体时间…没有列出"). */
const WHEN = /什么时候|何时|哪一?年|几月|哪个月|哪天/;
const A_TIME = /\d{2,4}年|\d{1,2}月|\d{1,2}日|年底|年内|年初|年中|上半年|下半年|今年|明年|季度|月底|时间|\d{1,2}[:：]\d{2}/;
const MARKER = /[\[［【](\d{1,2})[\]］】]/g;

/**
 * Turns a standalone question into a grounded answer: an FAQ entry verbatim, or retrieval then
 * generation (the model when configured, the extractive answerer otherwise or when the model
 * fails or is too slow). Below the relevance threshold it says the documents do not say.
 */
export class Answerer {
  private faq: { hash: string; matcher: FaqMatcher } | undefined;
  private recent: { question: string; index: unknown; today: string; evidence: Promise<Evidence> } | undefined;

  constructor(
    private readonly deps: {
      knowledge: KnowledgeService;
      tokenizer: Tokenizer;
      clock: Clock;
      options: AnswerOptions;
      model?: { chat: ChatModel; prompts: Prompts } | undefined;
      timings?: Timings;
    },
  ) {}

  /**
   * Whether the documents speak to a question without generating anything: an FAQ entry matches
   * it, or the retrieved passages cover at least `minRelevance` of it (by default the threshold
   * `answer` applies; 1 asks for a passage with every word of the question).
   */
  async covers(question: string, minRelevance = this.deps.options.minRelevance): Promise<boolean> {
    return (await this.ground(question, minRelevance)).kind !== 'none';
  }

  async answer(question: string, emit: (text: string) => void, log: Logger): Promise<AnswerOutcome> {
    const grounded = await this.ground(question);
    if (grounded.kind === 'faq') {
      const { chunk, today } = grounded;
      const text = this.scoped(question, chunk.text);
      emit(text);
      return { answered: true, text, citations: [citationOf(1, chunk, chunk.text, today)], relevance: 1, via: 'faq' };
    }
    if (grounded.kind === 'none') {
      log.debug({ relevance: grounded.score, lacks: grounded.lacks }, grounded.lacks ? 'the value asked for is not in the documents' : 'below the relevance threshold');
      // "公积金怎么提取", "有没有篮球场": what no document mentions is named, as it is above the threshold.
      const missing = grounded.lacks ? undefined : unmentioned(question, grounded.scorer);
      // "维修电话多少": the value asked of a thing is named even where no document is about the thing.
      if (!missing) return notAnswered(grounded.lacks ?? wantedValue(question, { ofANamedThing: true }), grounded.score, emit);
      const text = replies.unmentioned(missing, '');
      emit(text);
      return { answered: false, text, citations: [], relevance: grounded.score, via: 'none', unmentioned: missing };
    }
    const { hits, score, expiredOnly, scorer, today } = grounded;
    if (expiredOnly) emit(replies.expiredNote(expiredOnly));
    const prefix = expiredOnly ? replies.expiredNote(expiredOnly) : '';

    let streamed = false;
    if (this.deps.model) {
      const started = performance.now();
      const online = await this.generate(question, hits, (text) => {
        streamed = true;
        emit(text);
      }, today, log);
      this.deps.timings?.observe('model', (performance.now() - started) / 1000);
      if (online.kind === 'answer') return { answered: true, text: prefix + online.text, citations: online.citations, relevance: score, via: 'model' };
      if (online.kind === 'no_answer') return notAnswered(undefined, score, emit);
      if (streamed) emit(replies.modelInterrupted);
    }

    const offline = extractiveAnswer(question, hits, scorer, today);
    // The model reads the passages and can tell "网上办" is 一网通办; the extractive answer cannot,
    // and says what the documents never mention instead of the passages that share the rest.
    const missing = unmentioned(question, scorer);
    const interrupted = streamed ? replies.modelInterrupted : '';
    if (missing) {
      const text = replies.unmentioned(missing, offline.text);
      emit(text);
      return { answered: false, text: prefix + interrupted + text, citations: offline.citations, relevance: score, via: 'extractive', unmentioned: missing };
    }
    // The passages that hold such a value are about something else ("人才公寓谁可以住").
    if (!offline.text) return notAnswered(wantedValue(question), score, emit);
    const text = this.scoped(question, offline.text);
    emit(text);
    return { answered: true, text: prefix + interrupted + text, citations: offline.citations, relevance: score, via: 'extractive' };
  }

  /** An answer whose numbers are not those of the place asked about, or that has none, says so first. */
  private scoped(question: string, answer: string): string {
    if (countNotStated(question, answer, this.deps.tokenizer)) return replies.countNotStated + answer;
    const place = countNotOf(question, answer, this.deps.tokenizer);
    if (place) return replies.countNotOf(place) + answer;
    // "临江的邻里中心什么时候建好" is answered "正在建设中": true, but no date.
    return WHEN.test(question) && !A_TIME.test(answer) ? replies.timeNotStated + answer : answer;
  }

  /** An FAQ entry that matches, or the passages to answer from, or nothing relevant enough. */
  private async ground(question: string, minRelevance = this.deps.options.minRelevance): Promise<Grounding> {
    const { faq, current, expired, score, expiredScore, scorer, today } = await this.evidence(question);
    if (faq) return { kind: 'faq', chunk: faq, today };
    // Passages about the subject that hold nothing of the kind asked for (its phone number, its
    // opening hours, its price) do not answer it.
    const relevant = (hits: Hit[], relevance: number) => hits.length > 0 && relevance >= minRelevance;
    const answers = (hits: Hit[], relevance: number) => relevant(hits, relevance) && speaksTo(question, hits, scorer.tokenizer);
    if (answers(current, score)) return { kind: 'passages', hits: current, score, scorer, today };
    // Only an expired document speaks to this: answer from it, but never as current policy.
    if (answers(expired, expiredScore)) return { kind: 'passages', hits: expired, score: expiredScore, expiredOnly: expired[0]!.chunk.expires, scorer, today };
    // The documents are about it and do not state the value asked for: that is what the person hears.
    return { kind: 'none', score, lacks: relevant(current, score) ? wantedValue(question) : undefined, scorer };
  }

  /**
   * What the documents hold for a question. The last question's is kept: the handoff desk asks
   * whether a message is covered before the same message is answered.
   */
  private evidence(question: string): Promise<Evidence> {
    const { knowledge, clock } = this.deps;
    const today = chinaDate(clock.now());
    const recent = this.recent;
    if (recent && recent.question === question && recent.index === knowledge.index && recent.today === today) return recent.evidence;
    const evidence = this.gather(question, today);
    this.recent = { question, index: knowledge.index, today, evidence };
    // A failed search is not kept: asking again searches again.
    evidence.catch(() => {
      if (this.recent?.evidence === evidence) this.recent = undefined;
    });
    return evidence;
  }

  private async gather(question: string, today: string): Promise<Evidence> {
    const { knowledge, options } = this.deps;
    const index = knowledge.index ?? (await knowledge.load());
    const scorer: Scorer = { tokenizer: this.deps.tokenizer, lexical: index.lexical };
    const faq = this.faqMatcher(index.manifest.contentHash, index.chunks).best(question);
    if (faq && faq.similarity >= options.faqMinSimilarity && !isExpired(faq.chunk, today)) {
      return { faq: faq.chunk, current: [], expired: [], score: 1, expiredScore: 0, scorer, today };
    }
    const found = await knowledge.search(question, { k: options.k ?? 5 });
    const current = found.filter((hit) => !isExpired(hit.chunk, today));
    const expired = found.filter((hit) => isExpired(hit.chunk, today));
    return { current, expired, score: relevance(question, current, scorer), expiredScore: expired.length ? relevance(question, expired, scorer) : 0, scorer, today };
  }

  private faqMatcher(hash: string, chunks: Hit['chunk'][]): FaqMatcher {
    if (this.faq?.hash !== hash) this.faq = { hash, matcher: new FaqMatcher(chunks) };
    return this.faq.matcher;
  }

  /** Streams the model's answer; holds back the first characters until they are not the no-answer token. */
  private async generate(
    question: string,
    hits: Hit[],
    emit: (text: string) => void,
    today: string,
    log: Logger,
  ): Promise<{ kind: 'answer'; text: string; citations: Citation[] } | { kind: 'no_answer' } | { kind: 'failed' }> {
    const { chat, prompts } = this.deps.model!;
    const passages = hits
      .map((hit, i) => `[${i + 1}]《${hit.chunk.title}》${hit.chunk.section ? ` · ${hit.chunk.section}` : ''}\n${hit.chunk.text}`)
      .join('\n\n');
    const system = prompts.render('answer', { persona: prompts.render('persona', {}), passages, question, no_answer_token: NO_ANSWER_TOKEN });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('answer deadline passed')), this.deps.options.answerTimeoutMs);
    let text = '';
    let pending = '';
    let decided = false;
    try {
      for await (const delta of chat.stream([{ role: 'system', content: system }, { role: 'user', content: question }], controller.signal)) {
        if (decided) {
          text += delta;
          emit(delta);
          continue;
        }
        pending += delta;
        const head = pending.trimStart();
        if (NO_ANSWER_TOKEN.startsWith(head) || head.startsWith(NO_ANSWER_TOKEN)) continue;
        decided = true;
        text = pending;
        emit(pending);
      }
    } catch (error) {
      log.warn({ err: error }, 'model answer failed: falling back to the extractive answer');
      return { kind: 'failed' };
    } finally {
      clearTimeout(timer);
    }
    if (!decided) {
      if (pending.trim().startsWith(NO_ANSWER_TOKEN) || !pending.trim()) return pending.trim() ? { kind: 'no_answer' } : { kind: 'failed' };
      text = pending;
      emit(pending);
    }
    if (text.includes(NO_ANSWER_TOKEN)) return { kind: 'no_answer' };
    const cited = new Set<number>();
    for (const match of text.matchAll(MARKER)) {
      const n = Number(match[1]);
      if (n >= 1 && n <= hits.length) cited.add(n);
    }
    if (!cited.size) {
      log.warn('model answer cites no passage: falling back to the extractive answer');
      return { kind: 'failed' };
    }
    // Markers that point at no passage (a hallucinated [9]) are removed; the others become citations.
    const cleaned = text.replace(MARKER, (marker, digits: string) => (cited.has(Number(digits)) ? `[${digits}]` : '')).trim();
    const citations = [...cited].sort((a, b) => a - b).map((n) => citationOf(n, hits[n - 1]!.chunk, hits[n - 1]!.chunk.text, today));
    return { kind: 'answer', text: cleaned, citations };
  }
}
