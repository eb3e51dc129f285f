import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const isoDate = z.union([z.string(), z.date()]).transform((value, context) => {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text))) {
    context.addIssue({ code: 'custom', message: `must be a date written as YYYY-MM-DD (it is "${text}")` });
    return z.NEVER;
  }
  return text;
});

const frontMatterSchema = z.object({
  title: z.string().min(1).optional(),
  issuer: z.string().optional(),
  source: z.string().optional(),
  tags: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  doc_number: z.string().optional(),
  effective: isoDate.optional(),
  expires: isoDate.optional(),
  /** Each `##` heading is a question and its body the answer, returned verbatim. */
  faq: z.boolean().default(false),
});

export type FrontMatter = z.infer<typeof frontMatterSchema>;

/** Splits `---` YAML front matter from a Markdown body and validates it. */
export function parseFrontMatter(raw: string): { data: FrontMatter; body: string } {
  const text = raw.replace(/^\uFEFF/, '');
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!match) return { data: frontMatterSchema.parse({}), body: text };
  let yaml: unknown;
  try {
    yaml = parseYaml(match[1] ?? '') ?? {};
  } catch (error) {
    throw new Error(`front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = frontMatterSchema.safeParse(yaml);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'front matter'} ${issue.message}`);
    throw new Error(`front matter is invalid: ${details.join('; ')}`);
  }
  return { data: parsed.data, body: text.slice(match[0].length) };
}
