import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const glossarySchema = z.object({
  terms: z.array(z.string().min(1)).default([]),
  synonyms: z.array(z.array(z.string().min(1)).min(2, 'a synonym group needs at least two words')).default([]),
});

export type Glossary = z.infer<typeof glossarySchema>;

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
  return parsed.data;
}
