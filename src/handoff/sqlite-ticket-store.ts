import { statement, type SqliteDatabase } from '../storage/sqlite.ts';
import { LIVE_STATUSES, type NewTicket, type Notification, type Ticket, type TicketEvent } from './ticket.ts';
import { CHANGE_COLUMNS, type Draft, type TicketChanges, type TicketFilter, type TicketStore, type Transition } from './ticket-store.ts';

type Row = Record<string, unknown>;

function toTicket(row: Row): Ticket {
  return {
    id: row.id as number,
    status: row.status as Ticket['status'],
    category: row.category as string,
    community: row.community as string,
    description: row.description as string,
    contact: (row.contact as string | null) ?? null,
    requester: JSON.parse(row.requester as string),
    privateChannel: row.private_channel === 1,
    assignee: (row.assignee as string | null) ?? null,
    assignmentReason: (row.assignment_reason as string | null) ?? null,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    acceptDueAt: (row.accept_due_at as string | null) ?? null,
    escalateDueAt: (row.escalate_due_at as string | null) ?? null,
    resolveDueAt: (row.resolve_due_at as string | null) ?? null,
    remindedAt: (row.reminded_at as string | null) ?? null,
    escalatedAt: (row.escalated_at as string | null) ?? null,
    resolveAlertedAt: (row.resolve_alerted_at as string | null) ?? null,
    resolvedAt: (row.resolved_at as string | null) ?? null,
    rating: (row.rating as number | null) ?? null,
    version: row.version as number,
  };
}

function toNotification(row: Row): Notification {
  return {
    id: row.id as number,
    ticketId: (row.ticket_id as number | null) ?? null,
    at: row.at as string,
    kind: row.kind as string,
    recipient: row.recipient as string,
    text: row.text as string,
    mentions: JSON.parse(row.mentions as string),
    status: row.status as Notification['status'],
    error: (row.error as string | null) ?? null,
  };
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');
const LIVE = `(${LIVE_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** The embedded ticket store: SQLite in WAL mode, one file under DATA_DIR. */
export class SqliteTicketStore implements TicketStore {
  constructor(private readonly db: SqliteDatabase) {}

  async create(ticket: NewTicket, at: Date, actor: string): Promise<Ticket> {
    const now = at.toISOString();
    const id = this.db.transaction(() => {
      const result = statement(
        this.db,
        `INSERT INTO tickets (status, category, community, description, contact, requester, requester_channel, requester_user, private_channel, created_at, updated_at)
         VALUES ('new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        ticket.category,
        ticket.community,
        ticket.description,
        ticket.contact,
        JSON.stringify(ticket.requester),
        ticket.requester.channel,
        ticket.requester.userId ?? '',
        ticket.privateChannel ? 1 : 0,
        now,
        now,
      );
      const id = Number(result.lastInsertRowid);
      this.insertEvent(id, { actor, type: 'created', detail: { category: ticket.category, community: ticket.community } }, now);
      return id;
    })();
    return (await this.get(id))!;
  }

  async get(id: number): Promise<Ticket | undefined> {
    const row = statement(this.db, 'SELECT * FROM tickets WHERE id = ?').get(id) as Row | undefined;
    return row ? toTicket(row) : undefined;
  }

  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.status?.length) {
      where.push(`status IN (${placeholders(filter.status.length)})`);
      values.push(...filter.status);
    }
    if (filter.community) {
      where.push('community = ?');
      values.push(filter.community);
    }
    if (filter.assignee) {
      where.push('assignee = ?');
      values.push(filter.assignee);
    }
    if (filter.requester) {
      where.push('requester_channel = ? AND requester_user = ?');
      values.push(filter.requester.channel, filter.requester.userId);
    }
    const limit = filter.limit ?? 500;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`a ticket list limit must be a whole number, not ${limit}`);
    // The limit is written into the statement: SQLite runs this query several times slower with a
    // bound LIMIT (≈25 µs against ≈5 µs), and the desk asks it for every message.
    const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (statement(this.db, sql).all(...values) as Row[]).map(toTicket);
  }

  async events(id: number): Promise<TicketEvent[]> {
    const rows = statement(this.db, 'SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id').all(id) as Row[];
    return rows.map((row) => ({
      id: row.id as number,
      ticketId: row.ticket_id as number,
      at: row.at as string,
      actor: row.actor as string,
      type: row.type as string,
      detail: JSON.parse(row.detail as string),
    }));
  }

  async transition(id: number, transition: Transition): Promise<Ticket | undefined> {
    const now = transition.at.toISOString();
    const sets = ['updated_at = ?', 'version = version + 1'];
    const values: unknown[] = [now];
    if (transition.to) {
      sets.push('status = ?');
      values.push(transition.to);
    }
    for (const [key, value] of Object.entries(transition.set ?? {})) {
      sets.push(`${CHANGE_COLUMNS[key as keyof TicketChanges]} = ?`);
      values.push(value);
    }
    const where = [`id = ?`, `status IN (${placeholders(transition.from.length)})`];
    const whereValues: unknown[] = [id, ...transition.from];
    if (transition.assignee !== undefined) {
      where.push(transition.assignee === null ? 'assignee IS NULL' : 'assignee = ?');
      if (transition.assignee !== null) whereValues.push(transition.assignee);
    }
    if (transition.unset) where.push(`${CHANGE_COLUMNS[transition.unset]} IS NULL`);
    const applied = this.db.transaction(() => {
      const result = statement(this.db, `UPDATE tickets SET ${sets.join(', ')} WHERE ${where.join(' AND ')}`).run(...values, ...whereValues);
      if (result.changes !== 1) return false;
      this.insertEvent(id, transition.event, now);
      return true;
    }).immediate();
    return applied ? this.get(id) : undefined;
  }

  async addEvent(id: number, event: Transition['event'], at: Date): Promise<void> {
    this.insertEvent(id, event, at.toISOString());
  }

  private insertEvent(id: number, event: Transition['event'], at: string): void {
    statement(this.db, 'INSERT INTO ticket_events (ticket_id, at, actor, type, detail) VALUES (?, ?, ?, ?, ?)').run(id, at, event.actor, event.type, JSON.stringify(event.detail ?? {}));
  }

  async openCounts(community: string): Promise<Map<string, number>> {
    const rows = statement(this.db, `SELECT assignee, COUNT(*) AS open FROM tickets WHERE community = ? AND assignee IS NOT NULL AND status IN ${LIVE} GROUP BY assignee`)
      .all(community) as Row[];
    return new Map(rows.map((row) => [row.assignee as string, row.open as number]));
  }

  async lastAssigned(workerIds: string[]): Promise<Map<string, string>> {
    if (!workerIds.length) return new Map();
    const rows = statement(
      this.db,
      `SELECT json_extract(detail, '$.assignee') AS worker, MAX(at) AS at FROM ticket_events
       WHERE type IN ('assigned', 'transferred') AND json_extract(detail, '$.assignee') IN (${placeholders(workerIds.length)})
       GROUP BY worker`,
    ).all(...workerIds) as Row[];
    return new Map(rows.map((row) => [row.worker as string, row.at as string]));
  }

  async due(now: Date): Promise<{ remind: Ticket[]; escalate: Ticket[]; resolveAlert: Ticket[] }> {
    const at = now.toISOString();
    const select = (sql: string) => (statement(this.db, sql).all(at) as Row[]).map(toTicket);
    return {
      remind: select(`SELECT * FROM tickets WHERE status IN ('new', 'assigned', 'reopened') AND reminded_at IS NULL AND accept_due_at <= ? ORDER BY id`),
      escalate: select(`SELECT * FROM tickets WHERE status IN ('new', 'assigned', 'reopened') AND escalated_at IS NULL AND escalate_due_at <= ? ORDER BY id`),
      resolveAlert: select(`SELECT * FROM tickets WHERE status = 'accepted' AND resolve_alerted_at IS NULL AND resolve_due_at <= ? ORDER BY id`),
    };
  }

  async getDraft(key: string, updatedAfter = new Date(0)): Promise<Draft | undefined> {
    const row = statement(this.db, 'SELECT draft FROM ticket_drafts WHERE key = ? AND updated_at > ?').get(key, updatedAfter.toISOString()) as Row | undefined;
    return row ? (JSON.parse(row.draft as string) as Draft) : undefined;
  }

  async saveDraft(key: string, draft: Draft, at: Date): Promise<void> {
    statement(this.db, 'INSERT INTO ticket_drafts (key, draft, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(draft), at.toISOString());
  }

  async deleteDraft(key: string): Promise<void> {
    statement(this.db, 'DELETE FROM ticket_drafts WHERE key = ?').run(key);
  }

  async deleteDraftsBefore(before: Date): Promise<number> {
    return statement(this.db, 'DELETE FROM ticket_drafts WHERE updated_at < ?').run(before.toISOString()).changes;
  }

  async addNotification(notification: Omit<Notification, 'id'>): Promise<Notification> {
    const result = statement(this.db, 'INSERT INTO notifications (ticket_id, at, kind, recipient, text, mentions, status, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(notification.ticketId, notification.at, notification.kind, notification.recipient, notification.text, JSON.stringify(notification.mentions), notification.status, notification.error);
    return { ...notification, id: Number(result.lastInsertRowid) };
  }

  async notifications(filter: { ticketId?: number; status?: Notification['status'] }): Promise<Notification[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.ticketId !== undefined) {
      where.push('ticket_id = ?');
      values.push(filter.ticketId);
    }
    if (filter.status) {
      where.push('status = ?');
      values.push(filter.status);
    }
    const sql = `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (statement(this.db, sql).all(...values) as Row[]).map(toNotification);
  }

  async markNotification(id: number, status: Notification['status'], error: string | null = null): Promise<void> {
    statement(this.db, 'UPDATE notifications SET status = ?, error = ? WHERE id = ?').run(status, error, id);
  }

  async claimNotification(id: number, at: Date): Promise<boolean> {
    return statement(this.db, `UPDATE notifications SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'pending'`).run(at.toISOString(), id).changes === 1;
  }

  async releaseNotificationClaims(before: Date): Promise<number> {
    return statement(this.db, `UPDATE notifications SET status = 'pending' WHERE status = 'sending' AND claimed_at < ?`).run(before.toISOString()).changes;
  }
}
