import { watch, type FSWatcher } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { normalizeText } from '../retrieval/text.ts';

const time = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be a time written as HH:MM');

const rosterSchema = z
  .object({
    communities: z
      .array(
        z.object({
          id: z.string().min(1),
          name: z.string().min(1),
          type: z.enum(['建制型', '功能型']).optional(),
          streets: z.array(z.string()).default([]),
          parks: z.array(z.string()).default([]),
          aliases: z.array(z.string()).default([]),
          supervisor: z.string().min(1),
          /** Group robot webhook of the community's staff group (notices). */
          webhook: z.url().optional(),
        }),
      )
      .min(1),
    workers: z
      .array(
        z.object({
          id: z.string().min(1),
          name: z.string().min(1),
          community: z.string().min(1),
          skills: z.array(z.string().min(1)).min(1),
          capacity: z.number().int().min(1).default(10),
          duty: z.object({ days: z.array(z.number().int().min(1).max(7)).min(1), from: time, to: time }),
          addresses: z.record(z.string(), z.string()).default({}),
        }),
      )
      .min(1),
    /** Who hears at once when someone may be in danger before their community is known, or off hours (a worker id). */
    urgentContact: z.string().min(1).optional(),
    /**
     * Who takes a request whose requester cannot say which community (a worker id): it is filed in
     * their community and given to them, to transfer where it belongs.
     */
    dispatcher: z.string().min(1).optional(),
  })
  .superRefine((roster, context) => {
    const communities = new Set(roster.communities.map((community) => community.id));
    const workers = new Map(roster.workers.map((worker) => [worker.id, worker]));
    if (workers.size !== roster.workers.length) context.addIssue({ code: 'custom', path: ['workers'], message: 'worker ids must be unique' });
    roster.workers.forEach((worker, index) => {
      if (!communities.has(worker.community)) {
        context.addIssue({ code: 'custom', path: ['workers', index, 'community'], message: `"${worker.community}" is not a community id of this roster` });
      }
    });
    roster.communities.forEach((community, index) => {
      const supervisor = workers.get(community.supervisor);
      if (!supervisor) context.addIssue({ code: 'custom', path: ['communities', index, 'supervisor'], message: `"${community.supervisor}" is not a worker id of this roster` });
    });
    for (const role of ['urgentContact', 'dispatcher'] as const) {
      const id = roster[role];
      if (id && !workers.has(id)) context.addIssue({ code: 'custom', path: [role], message: `"${id}" is not a worker id of this roster` });
    }
  });

export type RosterData = z.infer<typeof rosterSchema>;
export type Community = RosterData['communities'][number];

/** Every name a community goes by (name, aliases, parks, streets), normalised. */
export function namesOf(community: Community): string[] {
  return [community.name, ...community.aliases, ...community.parks, ...community.streets].map(normalizeText).filter(Boolean);
}
export type Worker = RosterData['workers'][number];

const roomsSchema = z.object({
  rooms: z.array(z.object({ id: z.string().optional(), title: z.string().optional(), community: z.string() })).default([]),
  staffGroups: z.array(z.object({ id: z.string().optional(), title: z.string().optional(), community: z.string() })).default([]),
});

export type RoomsData = z.infer<typeof roomsSchema>;
type RoomRule = RoomsData['rooms'][number];

// Channels where people are identified by their roster id (the operator's CLI, the web console).
const ROSTER_ID_CHANNELS = new Set(['cli', 'console']);

/** The roster address book a channel's user ids belong to: every WeCom channel uses WeCom userids. */
export function addressBookOf(channel: string): string {
  return channel.startsWith('wecom') ? 'wecom' : channel;
}

function titleMatches(pattern: string, title: string): boolean {
  const expression = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return expression.test(title);
}

function ruleMatches(rule: { id?: string | undefined; title?: string | undefined }, room: { id: string; title?: string | undefined }): boolean {
  if (rule.id !== undefined && rule.id === room.id) return true;
  return rule.title !== undefined && room.title !== undefined && titleMatches(rule.title, room.title);
}

/** Who works where and handles what, and which chat belongs to which community. */
export class Roster {
  constructor(
    readonly data: RosterData,
    readonly rooms: RoomsData,
  ) {}

  community(id: string): Community | undefined {
    return this.data.communities.find((community) => community.id === id);
  }

  worker(id: string): Worker | undefined {
    return this.data.workers.find((worker) => worker.id === id);
  }

  workersOf(community: string): Worker[] {
    return this.data.workers.filter((worker) => worker.community === community);
  }

  supervisorOf(community: string): Worker | undefined {
    const id = this.community(community)?.supervisor;
    return id ? this.worker(id) : undefined;
  }

  /** Who hears at once of someone who may be in danger before their community is known. */
  get urgentContact(): Worker | undefined {
    return this.data.urgentContact ? this.worker(this.data.urgentContact) : undefined;
  }

  /** Who takes a request whose requester cannot say which community, to transfer where it belongs. */
  get dispatcher(): Worker | undefined {
    return this.data.dispatcher ? this.worker(this.data.dispatcher) : undefined;
  }

  isSupervisor(workerId: string): boolean {
    return this.data.communities.some((community) => community.supervisor === workerId);
  }

  /** A worker by id or by name (with or without the example mark). */
  findWorker(idOrName: string): Worker | undefined {
    const wanted = idOrName.trim();
    return this.worker(wanted) ?? this.data.workers.find((worker) => worker.name === wanted || worker.name.replace(/（示例）$/, '') === wanted);
  }

  /** The roster worker behind a channel sender, if the sender is one. */
  workerByAddress(channel: string, senderId: string): Worker | undefined {
    const book = addressBookOf(channel);
    return this.data.workers.find((worker) => worker.addresses[book] === senderId || (ROSTER_ID_CHANNELS.has(channel) && worker.id === senderId));
  }

  /**
   * Every community a piece of text names, by name, alias, park or street, in order of mention. A
   * name inside a longer name of another community ("江东" in "江东新城") does not count.
   */
  communitiesInText(text: string): Community[] {
    const normalized = normalizeText(text);
    const spans: { community: Community; start: number; end: number }[] = [];
    for (const community of this.data.communities) {
      for (const candidate of namesOf(community)) {
        for (let at = normalized.indexOf(candidate); at >= 0; at = normalized.indexOf(candidate, at + 1)) spans.push({ community, start: at, end: at + candidate.length });
      }
    }
    const inside = (span: (typeof spans)[number], other: (typeof spans)[number]) =>
      other.community !== span.community && other.start <= span.start && span.end <= other.end && other.end - other.start > span.end - span.start;
    const named = spans.filter((span) => !spans.some((other) => inside(span, other))).sort((a, b) => a.start - b.start);
    return [...new Set(named.map((span) => span.community))];
  }

  /** The community a piece of text names; none when it names none, or several ("住白杨，在医药港上班"). */
  communityInText(text: string): Community | undefined {
    const named = this.communitiesInText(text);
    return named.length === 1 ? named[0] : undefined;
  }

  /** The community whose staff group this room is, if it is one. */
  staffGroupOf(room: { id: string; title?: string | undefined }): string | undefined {
    return this.rooms.staffGroups.find((rule) => ruleMatches(rule, room))?.community;
  }

  /** The community a (non-staff) group chat belongs to. */
  communityOfRoom(room: { id: string; title?: string | undefined }): string | undefined {
    if (this.staffGroupOf(room)) return undefined;
    return this.rooms.rooms.find((rule: RoomRule) => ruleMatches(rule, room))?.community;
  }

  staffGroup(community: string): { id?: string | undefined; title?: string | undefined } | undefined {
    return this.rooms.staffGroups.find((rule) => rule.community === community);
  }
}

function describeIssues(file: string, issues: z.core.$ZodIssue[]): string {
  return `${file} is invalid: ${issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ')}`;
}

async function readYaml(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Reads and validates a roster and a rooms file into a Roster; throws with every problem named. */
export async function readRoster(rosterFile: string, roomsFile: string): Promise<Roster> {
  const roster = rosterSchema.safeParse(await readYaml(rosterFile));
  if (!roster.success) throw new Error(describeIssues(rosterFile, roster.error.issues));
  const rooms = roomsSchema.safeParse(await readYaml(roomsFile));
  if (!rooms.success) throw new Error(describeIssues(roomsFile, rooms.error.issues));
  const ids = new Set(roster.data.communities.map((community) => community.id));
  const unknown = [...rooms.data.rooms, ...rooms.data.staffGroups].filter((rule) => !ids.has(rule.community)).map((rule) => rule.community);
  if (unknown.length) throw new Error(`${roomsFile} is invalid: unknown community id(s) ${[...new Set(unknown)].join(', ')}`);
  return new Roster(roster.data, rooms.data);
}

/** The live file, or the shipped example (with a warning) when the live one does not exist yet. */
export async function resolveConfigFile(live: string, example: string, logger: Logger, what: string): Promise<string> {
  try {
    await access(live);
    return live;
  } catch {
    logger.warn({ live, example }, `${what} not found: using the example file, whose people are examples only`);
    return example;
  }
}

/**
 * Holds the current roster and reloads it when its files change or on SIGHUP. A reload that fails
 * validation keeps the previous roster and logs exactly what is wrong.
 */
export class RosterSource {
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private onSignal: (() => void) | undefined;

  private constructor(
    private current: Roster,
    readonly rosterFile: string,
    readonly roomsFile: string,
    private readonly logger: Logger,
  ) {}

  static async open(rosterFile: string, roomsFile: string, logger: Logger): Promise<RosterSource> {
    return new RosterSource(await readRoster(rosterFile, roomsFile), rosterFile, roomsFile, logger);
  }

  get roster(): Roster {
    return this.current;
  }

  /** Re-reads both files; true when the new roster is in force. */
  async reload(): Promise<boolean> {
    try {
      this.current = await readRoster(this.rosterFile, this.roomsFile);
      this.logger.info({ rosterFile: this.rosterFile, workers: this.current.data.workers.length }, 'roster reloaded');
      return true;
    } catch (error) {
      this.logger.error({ reason: (error as Error).message }, 'roster reload refused: keeping the previous roster');
      return false;
    }
  }

  /** Reloads on file changes (debounced) and on SIGHUP; `onReloaded` hears of each reload that took. */
  watch(onReloaded: () => void = () => undefined): void {
    const schedule = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload().then((ok) => ok && onReloaded()), 200);
    };
    for (const file of [this.rosterFile, this.roomsFile]) {
      try {
        this.watchers.push(watch(file, schedule));
      } catch (error) {
        this.logger.warn({ file, err: error }, 'cannot watch file for changes; SIGHUP still reloads it');
      }
    }
    this.onSignal = schedule;
    process.on('SIGHUP', schedule);
  }

  close(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.onSignal) process.off('SIGHUP', this.onSignal);
  }
}
