import type { Assistant } from '../assistant/assistant.ts';
import type { AssistantResult } from '../assistant/types.ts';
import { satisfies, type EvalLine } from './eval-file.ts';
import { round } from './retrieval-eval.ts';

export type RoutingScores = { n: number; accuracy: number; categoryAccuracy: number };
export type AnswerScores = { n: number; factHit: number };
export type AssistantMiss = { line: number; question: string; expected: string; got: string };
export type RelevanceSample = { relevance: number; shouldAnswer: boolean };

/** Runs every line through the whole assistant, each as a new user, and scores routes and answers. */
export async function evaluateAssistant(
  assistant: Assistant,
  lines: EvalLine[],
): Promise<{ routing: RoutingScores; answers: AnswerScores; misses: AssistantMiss[]; relevance: RelevanceSample[] }> {
  let routed = 0;
  let routedRight = 0;
  let categorized = 0;
  let categorizedRight = 0;
  let answerable = 0;
  let factHits = 0;
  const misses: AssistantMiss[] = [];
  const relevance: RelevanceSample[] = [];
  for (const line of lines) {
    const result: AssistantResult = await assistant.handle({
      id: `eval-${line.line}`,
      channel: 'eval',
      at: new Date(),
      conversation: { id: `eval-${line.line}`, kind: 'direct' },
      sender: { id: `eval-user-${line.line}`, name: '评测' },
      text: line.question,
      mentionsBot: true,
    });
    if (line.route) {
      routed++;
      if (result.route === line.route) routedRight++;
      else misses.push({ line: line.line, question: line.question, expected: `route ${line.route}`, got: `route ${result.route}` });
    }
    if (line.category) {
      categorized++;
      if (result.category === line.category) categorizedRight++;
      else misses.push({ line: line.line, question: line.question, expected: `category ${line.category}`, got: `category ${result.category}` });
    }
    if (line.expect?.length) {
      answerable++;
      if (satisfies(result.answer, line.expect)) factHits++;
      else misses.push({ line: line.line, question: line.question, expected: `answer with ${JSON.stringify(line.expect)}`, got: result.answer.slice(0, 80) });
    }
    // A question about something no document mentions, or for a value the documents about it do not
    // state ("邻里中心的食堂几点开门"), is declined at any relevance: no sample for the threshold.
    if (typeof result.relevance === 'number' && !result.unmentioned && !result.notStated && (line.expect?.length || line.route === 'no_answer')) {
      relevance.push({ relevance: result.relevance, shouldAnswer: Boolean(line.expect?.length) });
    }
  }
  return {
    routing: { n: routed, accuracy: round(routed ? routedRight / routed : 0), categoryAccuracy: round(categorized ? categorizedRight / categorized : 0) },
    answers: { n: answerable, factHit: round(answerable ? factHits / answerable : 0) },
    misses,
    relevance,
  };
}

/**
 * The no-answer threshold that best separates questions the documents answer from those they do
 * not, on labelled samples: the midpoint of the widest gap among the best-scoring cut points.
 */
export function calibrateThreshold(samples: RelevanceSample[]): { threshold: number; accuracy: number } {
  const values = [...new Set(samples.map((sample) => sample.relevance))].sort((a, b) => a - b);
  const cuts = [0, ...values.slice(0, -1).map((value, i) => (value + values[i + 1]!) / 2), 1];
  let best = { threshold: 0, accuracy: -1 };
  for (const cut of cuts) {
    const right = samples.filter((sample) => (sample.relevance >= cut) === sample.shouldAnswer).length;
    const accuracy = samples.length ? right / samples.length : 0;
    if (accuracy > best.accuracy) best = { threshold: cut, accuracy };
  }
  return { threshold: round(best.threshold, 3), accuracy: round(best.accuracy) };
}
