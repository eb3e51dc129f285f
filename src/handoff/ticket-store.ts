import type { NewTicket, Notification, Ticket, TicketEvent, TicketStatus } from './ticket.ts';

export type TicketFilter = {
  status?: TicketStatus[];
  community?: string;
  assignee?: string;
  requester?: { channel: string; userId: string };
  limit?: number;
};

/** Fields a transition may change besides the status. */
export type TicketChanges = Partial<
  Pick<
    Ticket,
    | 'community'
    | 'assignee'
    | 'assignmentReason'
    | 'acceptDueAt'
    | 'escalateDueAt'
    | 'resolveDueAt'
    | 'remindedAt'
    | 'escalatedAt'
    | 'resolveAlertedAt'
    | 'resolvedAt'
    | 'rating'
  >
>;

/** The database column of each changeable field (the same in every store). */
export const CHANGE_COLUMNS: Record<keyof TicketChanges, string> = {
  community: 'community',
  assignee: 'assignee',
  assignmentReason: 'assignment_reason',
  acceptDueAt: 'accept_due_at',
  escalateDueAt: 'escalate_due_at',
  resolveDueAt: 'resolve_due_at',
  remindedAt: 'reminded_at',
  escalatedAt: 'escalated_at',
  resolveAlertedAt: 'resolve_alerted_at',
  resolvedAt: 'resolved_at',
  rating: 'rating',
};

export type Transition = {
  /** The ticket must be in one of these statuses, or nothing happens. */
  from: TicketStatus[];
  to?: TicketStatus;
  /** The ticket must have this assignee (or none, for null), or nothing happens. */
  assignee?: string | null;
  /** The ticket's field must still be unset (a reminder not yet sent), or nothing happens. */
  unset?: 'remindedAt' | 'escalatedAt' | 'resolveAlertedAt';
  set?: TicketChanges;
  event: { actor: string; type: string; detail?: Record<string, unknown> };
  at: Date;
};

/** How long a half-filled request waits for its next answer; after that it is forgotten. */
const DRAFT_LIFETIME_MS = 24 * 3600_000;

/** Drafts last saved before this moment are over: ignored by the desk, deleted by the service-level tick. */
export function draftsExpireBefore(now: Date): Date {
  return new Date(now.getTime() - DRAFT_LIFETIME_MS);
}

export type Draft = {
  category: string;
  community: string | null;
  description: string | null;
  contact: string | null;
  /** The slot last asked for: the next message answers it. */
  asking: 'community' | 'description' | null;
  requester: NewTicket['requester'];
  privateChannel: boolean;
  attempts: number;
  /**
   * Someone may be in danger: the ticket's clock runs at once, whoever has it, and the roster's
   * urgent contact hears when no one on duty does (`contactAlerted` once they have).
   */
  urgent?: { contactAlerted: boolean };
  /** What the requester said when they could not say which community ("不清楚", "在下沙"): for the dispatcher. */
  unplaced?: string;
};

/**
 * Tickets, their append-only events, half-filled requests and notifications. Every transition is
 * one conditional update with its event, atomically: of two workers accepting at once, one wins.
 */
export interface TicketStore {
  create(ticket: NewTicket, at: Date, actor: string): Promise<Ticket>;
  get(id: number): Promise<Ticket | undefined>;
  list(filter?: TicketFilter): Promise<Ticket[]>;
  events(id: number): Promise<TicketEvent[]>;
  transition(id: number, transition: Transition): Promise<Ticket | undefined>;
  addEvent(id: number, event: Transition['event'], at: Date): Promise<void>;
  /** Open (live) tickets per worker of a community. */
  openCounts(community: string): Promise<Map<string, number>>;
  /** When each worker was last assigned a ticket (round-robin among equals). */
  lastAssigned(workerIds: string[]): Promise<Map<string, string>>;
  /** Live tickets with a service-level deadline at or before `now` that has not fired yet. */
  due(now: Date): Promise<{ remind: Ticket[]; escalate: Ticket[]; resolveAlert: Ticket[] }>;

  /** The half-filled request saved under `key`, unless it was last saved before `updatedAfter`. */
  getDraft(key: string, updatedAfter?: Date): Promise<Draft | undefined>;
  saveDraft(key: string, draft: Draft, at: Date): Promise<void>;
  deleteDraft(key: string): Promise<void>;
  /** Deletes every draft last saved before `before`; how many. */
  deleteDraftsBefore(before: Date): Promise<number>;

  addNotification(notification: Omit<Notification, 'id'>): Promise<Notification>;
  notifications(filter: { ticketId?: number; status?: Notification['status'] }): Promise<Notification[]>;
  markNotification(id: number, status: Notification['status'], error?: string | null): Promise<void>;
  /** Marks a pending notification as being delivered, at `at`; false when another process took it. */
  claimNotification(id: number, at: Date): Promise<boolean>;
  /** Puts back to pending every notification claimed before `before` and never finished (its process died sending); how many. */
  releaseNotificationClaims(before: Date): Promise<number>;
}
