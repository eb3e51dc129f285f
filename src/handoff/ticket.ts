import type { Address } from '../assistant/types.ts';

export const TICKET_STATUSES = ['new', 'assigned', 'accepted', 'resolved', 'closed', 'reopened', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a community worker still owes the requester something. */
export const LIVE_STATUSES: TicketStatus[] = ['new', 'assigned', 'accepted', 'reopened'];
/** Statuses a worker can accept from. */
export const ACCEPTABLE_STATUSES: TicketStatus[] = ['new', 'assigned', 'reopened'];

/** Where the request was made, so replies go back to the same place. */
export type RequesterAddress = Address & { conversationKind: 'group' | 'direct'; userName: string };

export type Ticket = {
  /** A number people can say aloud: shown as #1024. */
  id: number;
  status: TicketStatus;
  category: string;
  community: string;
  description: string;
  contact: string | null;
  requester: RequesterAddress;
  /** Continue in a direct chat (a sensitive request raised in a group). */
  privateChannel: boolean;
  assignee: string | null;
  assignmentReason: string | null;
  createdAt: string;
  updatedAt: string;
  acceptDueAt: string | null;
  escalateDueAt: string | null;
  resolveDueAt: string | null;
  remindedAt: string | null;
  escalatedAt: string | null;
  resolveAlertedAt: string | null;
  resolvedAt: string | null;
  rating: number | null;
  version: number;
};

export type TicketEvent = {
  id: number;
  ticketId: number;
  at: string;
  /** Worker id, `requester`, or `system`. */
  actor: string;
  type: string;
  detail: Record<string, unknown>;
};

export type NewTicket = Pick<Ticket, 'category' | 'community' | 'description' | 'contact' | 'requester' | 'privateChannel'>;

/** A notification: recorded always, delivered by the channels that can. */
export type Notification = {
  id: number;
  ticketId: number | null;
  at: string;
  kind: string;
  /** `worker:<id>`, `staff-group:<community>`, or `address:<channel>:<conversation>[:<user>]`. */
  recipient: string;
  text: string;
  mentions: string[];
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'recorded';
  error: string | null;
};

export const formatTicketId = (id: number) => `#${id}`;
