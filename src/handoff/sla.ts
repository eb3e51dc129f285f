import type { Categories } from '../assistant/categories.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import { deskMessages as say } from './messages.ts';
import { PENDING_TOO_LONG_MS, SENDING_TOO_LONG_MS, type Notifier } from './notifier.ts';
import type { Roster } from './roster.ts';
import { draftsExpireBefore, type TicketStore } from './ticket-store.ts';

export type SlaTick = { reminded: number[]; escalated: number[]; alerted: number[]; forgottenDrafts: number; redelivered: number };

/**
 * Service-level timers, derived from the database on every tick: nothing lives only in memory, so a
 * restart loses none. Each deadline fires once: the conditional update that records it is the lock.
 */
export class SlaScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SlaTick> | undefined;

  constructor(
    private readonly deps: { store: TicketStore; roster: () => Roster; categories: Categories; notifier: Notifier; clock: Clock; logger: Logger },
  ) {}

  /** Fires every deadline that has passed by the clock's now. */
  tick(): Promise<SlaTick> {
    // One tick at a time: an interval tick and a manual one must not both fire the same reminder.
    this.running ??= this.fire().finally(() => (this.running = undefined));
    return this.running;
  }

  private async fire(): Promise<SlaTick> {
    const { store, categories, notifier, clock } = this.deps;
    const roster = this.deps.roster();
    const now = clock.now();
    const due = await store.due(now);
    const done: SlaTick = { reminded: [], escalated: [], alerted: [], forgottenDrafts: 0, redelivered: 0 };
    const name = (id: string | null) => (id && roster.worker(id)?.name) || '社区工作者';
    const communityName = (id: string) => roster.community(id)?.name ?? id;

    for (const ticket of due.remind) {
      const fired = await store.transition(ticket.id, {
        from: ['new', 'assigned', 'reopened'],
        unset: 'remindedAt',
        set: { remindedAt: now.toISOString() },
        event: { actor: 'system', type: 'reminded', detail: { assignee: ticket.assignee } },
        at: now,
      });
      if (!fired) continue;
      const { acceptMinutes: minutes, toSupervisor } = categories.get(ticket.category);
      const text = say.reminder(fired, name(fired.assignee), minutes);
      // A complaint is kept from the staff group (HandoffDesk.open): its reminders too.
      if (!toSupervisor) await notifier.notify({ ticketId: fired.id, kind: 'reminder', to: { kind: 'staff-group', community: fired.community }, text, mentions: fired.assignee ? [fired.assignee] : [] });
      if (fired.assignee) await notifier.notify({ ticketId: fired.id, kind: 'reminder', to: { kind: 'worker', workerId: fired.assignee }, text });
      done.reminded.push(fired.id);
    }

    for (const ticket of due.escalate) {
      const fired = await store.transition(ticket.id, {
        from: ['new', 'assigned', 'reopened'],
        unset: 'escalatedAt',
        set: { escalatedAt: now.toISOString() },
        event: { actor: 'system', type: 'escalated', detail: { supervisor: roster.supervisorOf(ticket.community)?.id ?? null } },
        at: now,
      });
      if (!fired) continue;
      const category = categories.get(fired.category);
      const supervisor = roster.supervisorOf(fired.community);
      const text = say.escalation(fired, category.label, communityName(fired.community), category.acceptMinutes + category.escalateAfterMinutes);
      if (supervisor) await notifier.notify({ ticketId: fired.id, kind: 'escalation', to: { kind: 'worker', workerId: supervisor.id }, text });
      if (!category.toSupervisor) await notifier.notify({ ticketId: fired.id, kind: 'escalation', to: { kind: 'staff-group', community: fired.community }, text, mentions: supervisor ? [supervisor.id] : [] });
      done.escalated.push(fired.id);
    }

    for (const ticket of due.resolveAlert) {
      const fired = await store.transition(ticket.id, {
        from: ['accepted'],
        unset: 'resolveAlertedAt',
        set: { resolveAlertedAt: now.toISOString() },
        event: { actor: 'system', type: 'resolve-overdue', detail: {} },
        at: now,
      });
      if (!fired) continue;
      const category = categories.get(fired.category);
      const supervisor = roster.supervisorOf(fired.community);
      const text = say.resolveOverdue(fired, category.label, communityName(fired.community), name(fired.assignee), category.resolveHours);
      if (supervisor) await notifier.notify({ ticketId: fired.id, kind: 'resolve-overdue', to: { kind: 'worker', workerId: supervisor.id }, text });
      done.alerted.push(fired.id);
    }
    // A request left half-filled for a day is dropped (the desk no longer continues it): what the
    // requester told it — a description, a phone number — is not kept any longer than that.
    done.forgottenDrafts = await store.deleteDraftsBefore(draftsExpireBefore(now));
    // A delivery cut off by a crash is pending again, and goes with those whose relay was lost.
    await store.releaseNotificationClaims(new Date(now.getTime() - SENDING_TOO_LONG_MS));
    done.redelivered = await notifier.redeliverPending(new Date(now.getTime() - PENDING_TOO_LONG_MS));
    if (done.reminded.length || done.escalated.length || done.alerted.length || done.forgottenDrafts || done.redelivered) this.deps.logger.info(done, 'service-level deadlines fired');
    return done;
  }

  /** Checks deadlines now and then every `intervalMs`. */
  start(intervalMs = 15_000): void {
    void this.tick().catch((error) => this.deps.logger.error({ err: error }, 'service-level tick failed'));
    this.timer = setInterval(() => void this.tick().catch((error) => this.deps.logger.error({ err: error }, 'service-level tick failed')), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
