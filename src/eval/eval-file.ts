import { z } from 'zod';
import { normalizeText } from '../retrieval/text.ts';

const expectation = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const lineSchema = z.object({
  question: z.string().min(1),
  expect: z.array(expectation).optional(),
  route: z.string().optional(),
  category: z.string().optional(),
});

export type EvalLine = z.infer<typeof lineSchema> & { line: number };
export type Expectation = z.infer<typeof expectation>;

/** Parses a JSONL eval file; a bad line is reported with its number and what is wrong. */
export function parseEvalFile(text: string): EvalLine[] {
  const lines: EvalLine[] = [];
  text.split(/\r?\n/).forEach((raw, position) => {
    const line = position + 1;
    if (!raw.trim() || raw.trim().startsWith('//')) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${line} is not valid JSON: ${(error as Error).message}`);
    }
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'line'} ${issue.message}`).join('; ');
      throw new Error(`line ${line} is not an eval question: ${details}`);
    }
    lines.push({ ...parsed.data, line });
  });
  return lines;
}

/**
 * True when `text` contains every expected string, or for an array element at least one of its
 * alternatives; compared after NFKC, lower-casing and removing whitespace.
 */
export function satisfies(text: string, expect: Expectation[]): boolean {
  const haystack = normalizeText(text);
  return expect.every((element) =>
    (Array.isArray(element) ? element : [element]).some((alternative) => haystack.includes(normalizeText(alternative))),
  );
}
