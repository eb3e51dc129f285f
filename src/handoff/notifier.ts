import type { Address } from '../assistant/types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Notification } from './ticket.ts';
import type { TicketStore } from './ticket-store.ts';

export type Recipient =
  | { kind: 'worker'; workerId: string }
  | { kind: 'staff-group'; community: string }
  | { kind: 'address'; address: Address & { conversationKind: 'group' | 'direct' } };

export type Outgoing = { ticketId: number | null; kind: string; to: Recipient; text: string; mentions?: string[] };

export function encodeRecipient(recipient: Recipient): string {
  switch (recipient.kind) {
    case 'worker':
      return `worker:${recipient.workerId}`;
    case 'staff-group':
      return `staff-group:${recipient.community}`;
    case 'address':
      return `address:${JSON.stringify(recipient.address)}`;
  }
}

export function decodeRecipient(value: string): Recipient {
  if (value.startsWith('worker:')) return { kind: 'worker', workerId: value.slice('worker:'.length) };
  if (value.startsWith('staff-group:')) return { kind: 'staff-group', community: value.slice('staff-group:'.length) };
  return { kind: 'address', address: JSON.parse(value.slice('address:'.length)) };
}

/** Sends one notification somewhere; false when this sender cannot reach that recipient. */
export type Deliverer = (notification: Notification, recipient: Recipient) => Promise<boolean>;

/** Tells people about tickets: to a worker, a community's staff group, or a requester's chat. */
export interface Notifier {
  notify(outgoing: Outgoing): Promise<Notification>;
  /** Tries again every notification still waiting for a channel, raised before `before` if given; says how many. */
  redeliverPending(before?: Date): Promise<number>;
}

/**
 * A notification still pending this long after it was raised lost its delivery: the announcement
 * to the instance with the WeChat login never arrived (Redis pub/sub keeps nothing), or its
 * instance died before trying.
 */
export const PENDING_TOO_LONG_MS = 60_000;

/**
 * A delivery claimed this long ago and never finished was cut off: its process died while sending.
 * Every channel gives up on a send within seconds; a flood to a staff-group webhook, merged, within minutes.
 */
export const SENDING_TOO_LONG_MS = 10 * 60_000;

/**
 * Every notification is written to the database first (visible in `tickets show`), then handed to
 * the channels that can deliver it. With no channel able to, it stays recorded; a failed delivery
 * is marked failed with the reason, never dropped silently.
 */
export class OutboxNotifier implements Notifier {
  private readonly deliverers: Deliverer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private relay: ((notification: Notification) => Promise<boolean>) | undefined;

  constructor(
    private readonly store: TicketStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Channels register here when they start. */
  addDeliverer(deliverer: Deliverer): void {
    this.deliverers.push(deliverer);
  }

  /**
   * Where a notification goes that no channel here could deliver: another instance running a
   * channel this one does not (the WeChat login). `relay` returns false when there is no such instance.
   */
  setRelay(relay: (notification: Notification) => Promise<boolean>): void {
    this.relay = relay;
  }

  async notify(outgoing: Outgoing): Promise<Notification> {
    const notification = await this.store.addNotification({
      ticketId: outgoing.ticketId,
      at: this.clock.now().toISOString(),
      kind: outgoing.kind,
      recipient: encodeRecipient(outgoing.to),
      text: outgoing.text,
      mentions: outgoing.mentions ?? [],
      status: this.deliverers.length ? 'pending' : 'recorded',
      error: null,
    });
    // Delivery runs in the background: a slow channel never delays the reply to the person asking.
    if (this.deliverers.length) this.inBackground(notification);
    return notification;
  }

  /** Delivers a notification another instance relayed here, or that waited for a channel to start. */
  redeliver(notification: Notification): void {
    if (this.deliverers.length) this.inBackground(notification);
  }

  /** Tries again every notification still waiting for a channel (when a channel starts here, or when one waited too long). */
  async redeliverPending(before?: Date): Promise<number> {
    const pending = (await this.store.notifications({ status: 'pending' })).filter((notification) => !before || new Date(notification.at) < before);
    for (const notification of pending) this.redeliver(notification);
    return pending.length;
  }

  private inBackground(notification: Notification): void {
    const delivery = this.deliver(notification).catch((error) => this.logger.error({ err: error, notification: notification.id }, 'delivery crashed'));
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Resolves when every delivery started so far has finished (tests, graceful shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async deliver(notification: Notification): Promise<void> {
    if (!(await this.store.claimNotification(notification.id, this.clock.now()))) return;
    const recipient = decodeRecipient(notification.recipient);
    const errors: string[] = [];
    for (const deliverer of this.deliverers) {
      try {
        if (await deliverer(notification, recipient)) {
          await this.store.markNotification(notification.id, 'sent');
          return;
        }
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    if (!errors.length && this.relay) {
      // Back to pending first, so the instance that hears of it can claim it.
      await this.store.markNotification(notification.id, 'pending');
      if (await this.relay(notification).catch((error) => void this.logger.warn({ err: error }, 'notification relay failed'))) return;
    }
    const status = errors.length ? 'failed' : 'recorded';
    await this.store.markNotification(notification.id, status, errors.join('; ') || null);
    if (errors.length) this.logger.warn({ notification: notification.id, errors }, 'notification could not be delivered');
  }
}
