import type pg from 'pg';
import { LIVE_STATUSES, type NewTicket, type Notification, type Ticket, type TicketEvent } from './ticket.ts';
import { CHANGE_COLUMNS, type Draft, type TicketChanges, type TicketFilter, type TicketStore, type Transition } from './ticket-store.ts';

type Row = Record<string, unknown>;
const text = (value: unknown) => (value as string | null) ?? null;

function toTicket(row: Row): Ticket {
  return {
    id: Number(row.id),
    status: row.status as Ticket['status'],
    category: row.category as string,
    community: row.community as string,
    description: row.description as string,
    contact: text(row.contact),
    requester: row.requester as Ticket['requester'],
    privateChannel: row.private_channel === true,
    assignee: text(row.assignee),
    assignmentReason: text(row.assignment_reason),
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
    acceptDueAt: text(row.accept_due_at),
    escalateDueAt: text(row.escalate_due_at),
    resolveDueAt: text(row.resolve_due_at),
    remindedAt: text(row.reminded_at),
    escalatedAt: text(row.escalated_at),
    resolveAlertedAt: text(row.resolve_alerted_at),
    resolvedAt: text(row.resolved_at),
    rating: row.rating === null || row.rating === undefined ? null : Number(row.rating),
    version: Number(row.version),
  };
}

function toNotification(row: Row): Notification {
  return {
    id: Number(row.id),
    ticketId: row.ticket_id === null ? null : Number(row.ticket_id),
    at: row.at as string,
    kind: row.kind as string,
    recipient: row.recipient as string,
    text: row.text as string,
    mentions: row.mentions as string[],
    status: row.status as Notification['status'],
    error: text(row.error),
  };
}

/**
 * Tickets in PostgreSQL, for several instances sharing one database. A transition is one
 * conditional UPDATE … RETURNING with its event in the same transaction: of concurrent accepts on
 * different instances, exactly one matches the row.
 */
export class PgTicketStore implements TicketStore {
  constructor(private readonly pool: pg.Pool) {}

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private insertEvent(client: pg.PoolClient | pg.Pool, id: number, event: Transition['event'], at: string) {
    return client.query('INSERT INTO ticket_events (ticket_id, at, actor, type, detail) VALUES ($1, $2, $3, $4, $5)', [id, at, event.actor, event.type, JSON.stringify(event.detail ?? {})]);
  }

  async create(ticket: NewTicket, at: Date, actor: string): Promise<Ticket> {
    const now = at.toISOString();
    return this.inTransaction(async (client) => {
      const { rows } = await client.query(
        `INSERT INTO tickets (status, category, community, description, contact, requester, requester_channel, requester_user, private_channel, created_at, updated_at)
         VALUES ('new', $1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
        [ticket.category, ticket.community, ticket.description, ticket.contact, JSON.stringify(ticket.requester), ticket.requester.channel, ticket.requester.userId ?? '', ticket.privateChannel, now],
      );
      const created = toTicket(rows[0]!);
      await this.insertEvent(client, created.id, { actor, type: 'created', detail: { category: ticket.category, community: ticket.community } }, now);
      return created;
    });
  }

  async get(id: number): Promise<Ticket | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM tickets WHERE id = $1', [id]);
    return rows[0] ? toTicket(rows[0]) : undefined;
  }

  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const bind = (value: unknown) => `$${values.push(value)}`;
    if (filter.status?.length) where.push(`status = ANY(${bind(filter.status)})`);
    if (filter.community) where.push(`community = ${bind(filter.community)}`);
    if (filter.assignee) where.push(`assignee = ${bind(filter.assignee)}`);
    if (filter.requester) where.push(`requester_channel = ${bind(filter.requester.channel)} AND requester_user = ${bind(filter.requester.userId)}`);
    const sql = `SELECT * FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${bind(filter.limit ?? 500)}`;
    return (await this.pool.query(sql, values)).rows.map(toTicket);
  }

  async events(id: number): Promise<TicketEvent[]> {
    const { rows } = await this.pool.query('SELECT * FROM ticket_events WHERE ticket_id = $1 ORDER BY id', [id]);
    return rows.map((row) => ({ id: Number(row.id), ticketId: Number(row.ticket_id), at: row.at, actor: row.actor, type: row.type, detail: row.detail }));
  }

  async transition(id: number, transition: Transition): Promise<Ticket | undefined> {
    const now = transition.at.toISOString();
    const values: unknown[] = [];
    const bind = (value: unknown) => `$${values.push(value)}`;
    const sets = [`updated_at = ${bind(now)}`, 'version = version + 1'];
    if (transition.to) sets.push(`status = ${bind(transition.to)}`);
    for (const [key, value] of Object.entries(transition.set ?? {})) sets.push(`${CHANGE_COLUMNS[key as keyof TicketChanges]} = ${bind(value)}`);
    const where = [`id = ${bind(id)}`, `status = ANY(${bind(transition.from)})`];
    if (transition.assignee !== undefined) where.push(transition.assignee === null ? 'assignee IS NULL' : `assignee = ${bind(transition.assignee)}`);
    if (transition.unset) where.push(`${CHANGE_COLUMNS[transition.unset]} IS NULL`);
    return this.inTransaction(async (client) => {
      const { rows } = await client.query(`UPDATE tickets SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`, values);
      if (!rows[0]) return undefined;
      await this.insertEvent(client, id, transition.event, now);
      return toTicket(rows[0]);
    });
  }

  async addEvent(id: number, event: Transition['event'], at: Date): Promise<void> {
    await this.insertEvent(this.pool, id, event, at.toISOString());
  }

  async openCounts(community: string): Promise<Map<string, number>> {
    const { rows } = await this.pool.query(
      'SELECT assignee, COUNT(*) AS open FROM tickets WHERE community = $1 AND assignee IS NOT NULL AND status = ANY($2) GROUP BY assignee',
      [community, LIVE_STATUSES],
    );
    return new Map(rows.map((row) => [row.assignee as string, Number(row.open)]));
  }

  async lastAssigned(workerIds: string[]): Promise<Map<string, string>> {
    if (!workerIds.length) return new Map();
    const { rows } = await this.pool.query(
      `SELECT detail->>'assignee' AS worker, MAX(at) AS at FROM ticket_events
       WHERE type IN ('assigned', 'transferred') AND detail->>'assignee' = ANY($1) GROUP BY worker`,
      [workerIds],
    );
    return new Map(rows.map((row) => [row.worker as string, row.at as string]));
  }

  async due(now: Date): Promise<{ remind: Ticket[]; escalate: Ticket[]; resolveAlert: Ticket[] }> {
    const at = now.toISOString();
    const select = async (sql: string) => (await this.pool.query(sql, [at])).rows.map(toTicket);
    const [remind, escalate, resolveAlert] = await Promise.all([
      select(`SELECT * FROM tickets WHERE status IN ('new', 'assigned', 'reopened') AND reminded_at IS NULL AND accept_due_at <= $1 ORDER BY id`),
      select(`SELECT * FROM tickets WHERE status IN ('new', 'assigned', 'reopened') AND escalated_at IS NULL AND escalate_due_at <= $1 ORDER BY id`),
      select(`SELECT * FROM tickets WHERE status = 'accepted' AND resolve_alerted_at IS NULL AND resolve_due_at <= $1 ORDER BY id`),
    ]);
    return { remind, escalate, resolveAlert };
  }

  async getDraft(key: string, updatedAfter = new Date(0)): Promise<Draft | undefined> {
    const { rows } = await this.pool.query('SELECT draft FROM ticket_drafts WHERE key = $1 AND updated_at > $2', [key, updatedAfter.toISOString()]);
    return rows[0]?.draft as Draft | undefined;
  }

  async saveDraft(key: string, draft: Draft, at: Date): Promise<void> {
    await this.pool.query(
      'INSERT INTO ticket_drafts (key, draft, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at',
      [key, JSON.stringify(draft), at.toISOString()],
    );
  }

  async deleteDraft(key: string): Promise<void> {
    await this.pool.query('DELETE FROM ticket_drafts WHERE key = $1', [key]);
  }

  async deleteDraftsBefore(before: Date): Promise<number> {
    return (await this.pool.query('DELETE FROM ticket_drafts WHERE updated_at < $1', [before.toISOString()])).rowCount ?? 0;
  }

  async addNotification(notification: Omit<Notification, 'id'>): Promise<Notification> {
    const { rows } = await this.pool.query(
      'INSERT INTO notifications (ticket_id, at, kind, recipient, text, mentions, status, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [notification.ticketId, notification.at, notification.kind, notification.recipient, notification.text, JSON.stringify(notification.mentions), notification.status, notification.error],
    );
    return { ...notification, id: Number(rows[0]!.id) };
  }

  async notifications(filter: { ticketId?: number; status?: Notification['status'] }): Promise<Notification[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.ticketId !== undefined) where.push(`ticket_id = $${values.push(filter.ticketId)}`);
    if (filter.status) where.push(`status = $${values.push(filter.status)}`);
    const { rows } = await this.pool.query(`SELECT * FROM notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`, values);
    return rows.map(toNotification);
  }

  async markNotification(id: number, status: Notification['status'], error: string | null = null): Promise<void> {
    await this.pool.query('UPDATE notifications SET status = $1, error = $2 WHERE id = $3', [status, error, id]);
  }

  async claimNotification(id: number, at: Date): Promise<boolean> {
    const result = await this.pool.query(`UPDATE notifications SET status = 'sending', claimed_at = $1 WHERE id = $2 AND status = 'pending'`, [at.toISOString(), id]);
    return result.rowCount === 1;
  }

  async releaseNotificationClaims(before: Date): Promise<number> {
    const result = await this.pool.query(`UPDATE notifications SET status = 'pending' WHERE status = 'sending' AND claimed_at < $1`, [before.toISOString()]);
    return result.rowCount ?? 0;
  }
}
