import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const glossarySchema = z.object({
  terms: z.array(z.string().min(1)).default([]),
  /** Named places (parks, communities, centres, streets): terms that also say where an answer applies. */
  places: z.array(z.string().min(1)).default([]),
  synonyms: z.array(z.array(z.string().min(1)).min(2, 'a synonym group needs at least two words')).default([]),
});

/** As loaded, `terms` includes the places: a place name is a word jieba keeps whole too. */
export type Glossary = Omit<z.infer<typeof glossarySchema>, 'places'> & { places?: string[] };

export const EMPTY_GLOSSARY: Glossary = { terms: [], synonyms: [] };

/** Reads `glossary.yaml`; a missing file means an empty glossary, an invalid one is an error. */
export async function loadGlossary(file: string): Promise<Glossary> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_GLOSSARY;
    throw error;
  }
  const parsed = glossarySchema.safeParse(parseYaml(raw) ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`${file} is invalid: ${details}`);
  }
  const { terms, places, synonyms } = parsed.data;
  return { terms: [...new Set([...terms, ...places])], places, synonyms };
}
