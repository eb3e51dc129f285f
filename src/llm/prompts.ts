import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Each template and the placeholders it must contain (and may only contain). */
export const PROMPT_PLACEHOLDERS = {
  persona: [],
  answer: ['persona', 'passages', 'question', 'no_answer_token'],
  rewrite: ['history', 'question'],
  router: ['categories', 'message'],
  slots: ['categories', 'communities', 'message'],
} as const;

export type PromptName = keyof typeof PROMPT_PLACEHOLDERS;
type Values<Name extends PromptName> = Record<(typeof PROMPT_PLACEHOLDERS)[Name][number], string>;

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Prompt templates from `prompts/`, checked once at start so a broken edit fails start, not a chat. */
export class Prompts {
  private constructor(private readonly templates: Record<PromptName, string>) {}

  static async load(dir: string): Promise<Prompts> {
    const templates = {} as Record<PromptName, string>;
    const problems: string[] = [];
    for (const name of Object.keys(PROMPT_PLACEHOLDERS) as PromptName[]) {
      const file = path.join(dir, `${name}.md`);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        problems.push(`${file} is missing`);
        continue;
      }
      const found = new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!));
      const required: readonly string[] = PROMPT_PLACEHOLDERS[name];
      const missing = required.filter((placeholder) => !found.has(placeholder));
      const unknown = [...found].filter((placeholder) => !required.includes(placeholder));
      if (missing.length) problems.push(`${file} lacks the placeholder(s) ${missing.map((p) => `{{${p}}}`).join(', ')}`);
      if (unknown.length) problems.push(`${file} has unknown placeholder(s) ${unknown.map((p) => `{{${p}}}`).join(', ')}`);
      templates[name] = text.trim();
    }
    if (problems.length) throw new Error(`Prompt templates are broken: ${problems.join('; ')}`);
    return new Prompts(templates);
  }

  render<Name extends PromptName>(name: Name, values: Values<Name>): string {
    return this.templates[name].replace(PLACEHOLDER, (_, key: string) => (values as Record<string, string>)[key] ?? '');
  }
}
