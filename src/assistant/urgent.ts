import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { normalizeText } from '../retrieval/text.ts';
import type { Categories } from './categories.ts';

const situationsSchema = z.object({
  situations: z.array(
    z.object({
      name: z.string().min(1),
      words: z.array(z.string().min(1)).min(1),
      reply: z.string().min(1),
      category: z.string().min(1).optional(),
    }),
  ),
});

export type UrgentSituation = z.infer<typeof situationsSchema>['situations'][number];

/**
 * Messages in which someone may be in danger (config/urgent.yaml): a fire, an injury, violence,
 * thoughts of self-harm. Matched by words, before any routing, so that no model or threshold stands
 * between a person in danger and the number to call.
 */
export class UrgentSituations {
  private constructor(private readonly situations: UrgentSituation[]) {}

  static async load(file: string, categories: Categories): Promise<UrgentSituations> {
    const parsed = situationsSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    for (const situation of parsed.data.situations) {
      if (situation.category && !categories.has(situation.category)) {
        throw new Error(`${file}: the situation "${situation.name}" names the category "${situation.category}", which config/categories.yaml does not define`);
      }
    }
    return new UrgentSituations(parsed.data.situations.map((situation) => ({ ...situation, words: situation.words.map(normalizeText) })));
  }

  /** The first situation the text names, if any. */
  find(text: string): UrgentSituation | undefined {
    const normalized = normalizeText(text);
    return this.situations.find((situation) => situation.words.some((word) => normalized.includes(word)));
  }
}
