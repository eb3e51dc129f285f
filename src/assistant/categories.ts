import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The category of a request that fits no other: every configuration has it. */
export const FALLBACK_CATEGORY = 'other';

const categoriesSchema = z.object({
  categories: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case'),
        label: z.string().min(1),
        sensitive: z.boolean().default(false),
        /** Taken by the community's supervisor, not its workers (a complaint about the service or a worker). */
        toSupervisor: z.boolean().default(false),
        /** Words one of which a request must say to be filed here by the local router (a complaint says it is one). */
        saidWith: z.array(z.string().min(1)).min(1).optional(),
        /** Minutes a ticket may wait to be accepted before the worker is reminded. */
        acceptMinutes: z.number().int().min(1).default(30),
        /** Minutes after the reminder before the supervisor is asked to step in. */
        escalateAfterMinutes: z.number().int().min(1).default(15),
        /** Hours from acceptance to resolution before the supervisor is alerted. */
        resolveHours: z.number().min(0.1).default(72),
      }),
    )
    .min(1)
    .refine((list) => list.some((category) => category.name === FALLBACK_CATEGORY), `must include the fallback category "${FALLBACK_CATEGORY}"`)
    .refine((list) => new Set(list.map((category) => category.name)).size === list.length, 'names must be unique'),
});

export type Category = z.infer<typeof categoriesSchema>['categories'][number];

/** The handoff categories, from config so the district can add its own. */
export class Categories {
  constructor(readonly list: Category[]) {}

  static async load(file: string): Promise<Categories> {
    const parsed = categoriesSchema.safeParse(parseYaml(await readFile(file, 'utf8')));
    if (!parsed.success) {
      throw new Error(`${file} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`);
    }
    return new Categories(parsed.data.categories);
  }

  get names(): string[] {
    return this.list.map((category) => category.name);
  }

  has(name: string): boolean {
    return this.list.some((category) => category.name === name);
  }

  label(name: string): string {
    return this.list.find((category) => category.name === name)?.label ?? name;
  }

  get(name: string): Category {
    return this.list.find((category) => category.name === name) ?? this.list.find((category) => category.name === FALLBACK_CATEGORY)!;
  }

  isSensitive(name: string | null | undefined): boolean {
    return this.list.some((category) => category.name === name && category.sensitive);
  }
}
