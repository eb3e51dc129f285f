import type { Category } from '../assistant/categories.ts';
import type { Clock } from '../clock.ts';
import type { Roster, Worker } from './roster.ts';
import type { TicketStore } from './ticket-store.ts';

/** Day of week (Monday = 1) and minutes since midnight in Beijing time. */
function beijingTime(date: Date): { day: number; minutes: number } {
  const shifted = new Date(date.getTime() + 8 * 3600_000);
  const day = shifted.getUTCDay() || 7;
  return { day, minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
}

const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

export function isOnDuty(worker: Worker, at: Date): boolean {
  const { day, minutes } = beijingTime(at);
  return worker.duty.days.includes(day) && minutes >= toMinutes(worker.duty.from) && minutes < toMinutes(worker.duty.to);
}

const DAY_MS = 24 * 3600_000;

/** When the worker is next on duty: `at` itself if they are now, else the start of their next shift. */
export function nextOnDuty(worker: Worker, at: Date): Date {
  if (isOnDuty(worker, at)) return at;
  const { day, minutes } = beijingTime(at);
  const from = toMinutes(worker.duty.from);
  const midnight = at.getTime() - ((at.getTime() + 8 * 3600_000) % DAY_MS);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const weekday = ((day - 1 + ahead) % 7) + 1;
    if (worker.duty.days.includes(weekday) && (ahead > 0 || minutes < from)) return new Date(midnight + ahead * DAY_MS + from * 60_000);
  }
  return at;
}

export type Assignment = { worker: Worker; reason: string };

/**
 * Picks a worker of the community who has the skill, is on duty and has room, with the fewest open
 * tickets; among equals, the one assigned least recently (round-robin). Nobody fits: the supervisor.
 * A category the supervisor takes (a complaint) goes to them first.
 */
export async function chooseAssignee(
  request: { community: string; category: Pick<Category, 'name' | 'label' | 'toSupervisor'> },
  roster: Roster,
  store: TicketStore,
  clock: Clock,
  exclude: string[] = [],
): Promise<Assignment | undefined> {
  const now = clock.now();
  const supervisor = roster.supervisorOf(request.community);
  const { name, label, toSupervisor } = request.category;
  if (toSupervisor && supervisor && !exclude.includes(supervisor.id)) return { worker: supervisor, reason: `${label}由社区负责人处理` };
  const open = await store.openCounts(request.community);
  const candidates = roster
    .workersOf(request.community)
    .filter((worker) => worker.id !== supervisor?.id && !exclude.includes(worker.id))
    .filter((worker) => worker.skills.includes(name))
    .filter((worker) => isOnDuty(worker, now))
    .filter((worker) => (open.get(worker.id) ?? 0) < worker.capacity);
  if (candidates.length) {
    const last = await store.lastAssigned(candidates.map((worker) => worker.id));
    const [worker] = [...candidates].sort(
      (a, b) =>
        (open.get(a.id) ?? 0) - (open.get(b.id) ?? 0) ||
        (last.get(a.id) ?? '').localeCompare(last.get(b.id) ?? '') ||
        a.id.localeCompare(b.id),
    );
    const load = open.get(worker!.id) ?? 0;
    return { worker: worker!, reason: `${label}技能、在岗、当前待办 ${load} 件，为可接单人员中最少（同等时轮流分派）` };
  }
  if (!supervisor) return undefined;
  return { worker: supervisor, reason: `本社区暂无具备${label}技能、在岗且未满额的社区工作者，转社区负责人` };
}
