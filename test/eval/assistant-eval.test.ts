import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrateThreshold, evaluateAssistant } from '../../src/eval/assistant-eval.ts';
import { parseEvalFile, type EvalLine } from '../../src/eval/eval-file.ts';
import { testApp } from '../helpers.ts';

describe('the assistant on the shipped labelled set (offline)', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let lines: EvalLine[];
  let outcome: Awaited<ReturnType<typeof evaluateAssistant>>;
  beforeAll(async () => {
    app = await testApp();
    lines = parseEvalFile(await readFile(path.resolve('test/eval/questions.jsonl'), 'utf8'));
    outcome = await evaluateAssistant(app.assistant, lines);
  });
  afterAll(() => app.cleanup());

  it('has at least 40 service requests across every category, greetings, out-of-scope and unanswerable lines', () => {
    const requests = lines.filter((line) => line.route === 'handoff');
    expect(requests.length).toBeGreaterThanOrEqual(40);
    expect(new Set(requests.map((line) => line.category))).toEqual(new Set(app.categories.names));
    for (const route of ['greeting', 'out_of_scope', 'no_answer']) expect(lines.filter((line) => line.route === route).length).toBeGreaterThanOrEqual(5);
  });

  it('reaches factHit ≥ 0.85, routing accuracy ≥ 0.9 and category accuracy ≥ 0.85', () => {
    expect(outcome.answers.factHit).toBeGreaterThanOrEqual(0.85);
    expect(outcome.routing.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(outcome.routing.categoryAccuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('uses a no-answer threshold that the labelled set calibrates, not a guess', () => {
    const calibrated = calibrateThreshold(outcome.relevance);
    expect(calibrated.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(app.config.assistant.minRelevance - calibrated.threshold)).toBeLessThanOrEqual(0.05);
  });

  it('calibrates to the cut that separates answerable from unanswerable samples', () => {
    const samples = [0.05, 0.1, 0.12].map((relevance) => ({ relevance, shouldAnswer: false })).concat([0.4, 0.6, 0.9].map((relevance) => ({ relevance, shouldAnswer: true })));
    expect(calibrateThreshold(samples)).toEqual({ threshold: 0.26, accuracy: 1 });
  });
});
