import { describe, expect, it } from 'vitest';
import type { NewTicket } from '../../src/handoff/ticket.ts';
import type { TicketStore } from '../../src/handoff/ticket-store.ts';

export type StoreFactory = {
  /** A fresh, empty store. */
  open(): Promise<TicketStore>;
  /** A second store on the same data (another connection or process), for races. */
  second(): Promise<TicketStore>;
  close(): Promise<void>;
};

const request: NewTicket = {
  category: 'repair',
  community: 'yiyaogang',
  description: '宿舍热水器坏了',
  contact: null,
  requester: { channel: 'wecom', conversationId: 'room-1', userId: 'u1', conversationKind: 'group', userName: '小李' },
  privateChannel: false,
};

/** The same behaviour, whatever the database behind a TicketStore. */
export function ticketStoreContract(name: string, factory: () => StoreFactory): void {
  describe(`TicketStore contract: ${name}`, () => {
    const at = new Date('2026-11-26T02:00:00Z');

    it('creates tickets with sayable numbers and an event trail', async () => {
      const setup = factory();
      const store = await setup.open();
      const first = await store.create(request, at, 'requester');
      const second = await store.create(request, at, 'requester');
      expect(first.id).toBeGreaterThan(1000);
      expect(second.id).toBe(first.id + 1);
      expect(first).toMatchObject({ status: 'new', category: 'repair', community: 'yiyaogang', requester: request.requester, privateChannel: false, assignee: null, version: 1 });
      expect((await store.events(first.id)).map((event) => [event.type, event.actor])).toEqual([['created', 'requester']]);
      expect(await store.get(999_999)).toBeUndefined();
      await setup.close();
    });

    it('applies a transition only from the allowed statuses, records it, and filters lists', async () => {
      const setup = factory();
      const store = await setup.open();
      const ticket = await store.create(request, at, 'requester');
      const assigned = await store.transition(ticket.id, { from: ['new'], to: 'assigned', set: { assignee: 'w1', acceptDueAt: '2026-11-26T02:30:00.000Z' }, event: { actor: 'system', type: 'assigned', detail: { assignee: 'w1' } }, at });
      expect(assigned).toMatchObject({ status: 'assigned', assignee: 'w1', version: 2 });
      expect(await store.transition(ticket.id, { from: ['new'], to: 'cancelled', event: { actor: 'x', type: 'cancelled' }, at })).toBeUndefined();
      expect(await store.transition(ticket.id, { from: ['assigned'], assignee: 'w2', to: 'accepted', event: { actor: 'w2', type: 'accepted' }, at })).toBeUndefined();
      expect((await store.events(ticket.id)).map((event) => event.type)).toEqual(['created', 'assigned']);
      expect((await store.list({ status: ['assigned'], community: 'yiyaogang', assignee: 'w1' })).map((t) => t.id)).toEqual([ticket.id]);
      expect(await store.list({ requester: { channel: 'wecom', userId: 'nobody' } })).toEqual([]);
      const newer = await store.create(request, at, 'requester');
      expect((await store.list({ limit: 1 })).map((t) => t.id)).toEqual([newer.id]);
      expect((await store.list({ limit: 2 })).map((t) => t.id)).toEqual([newer.id, ticket.id]);
      await expect(store.list({ limit: -1 })).rejects.toThrow();
      expect((await store.openCounts('yiyaogang')).get('w1')).toBe(1);
      expect((await store.lastAssigned(['w1', 'w2'])).has('w1')).toBe(true);
      await setup.close();
    });

    it('lets exactly one of many concurrent accepts win, across connections', async () => {
      const setup = factory();
      const one = await setup.open();
      const two = await setup.second();
      const ticket = await one.create(request, at, 'requester');
      await one.transition(ticket.id, { from: ['new'], to: 'assigned', set: { assignee: 'w1' }, event: { actor: 'system', type: 'assigned' }, at });
      const attempts = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? two : one).transition(ticket.id, { from: ['assigned'], to: 'accepted', set: { assignee: `w${i}` }, event: { actor: `w${i}`, type: 'accepted' }, at }),
      );
      const results = await Promise.all(attempts);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await one.events(ticket.id)).filter((event) => event.type === 'accepted')).toHaveLength(1);
      await setup.close();
    });

    it('reports each service-level deadline until it is marked fired', async () => {
      const setup = factory();
      const store = await setup.open();
      const ticket = await store.create(request, at, 'requester');
      await store.transition(ticket.id, {
        from: ['new'], to: 'assigned',
        set: { assignee: 'w1', acceptDueAt: '2026-11-26T02:30:00.000Z', escalateDueAt: '2026-11-26T02:45:00.000Z' },
        event: { actor: 'system', type: 'assigned' }, at,
      });
      expect((await store.due(new Date('2026-11-26T02:29:00Z'))).remind).toEqual([]);
      const due = await store.due(new Date('2026-11-26T02:31:00Z'));
      expect(due.remind.map((t) => t.id)).toEqual([ticket.id]);
      expect(due.escalate).toEqual([]);
      const fired = await store.transition(ticket.id, { from: ['assigned'], unset: 'remindedAt', set: { remindedAt: '2026-11-26T02:31:00.000Z' }, event: { actor: 'system', type: 'reminded' }, at });
      expect(fired?.status).toBe('assigned');
      expect(await store.transition(ticket.id, { from: ['assigned'], unset: 'remindedAt', set: { remindedAt: '2026-11-26T02:32:00.000Z' }, event: { actor: 'system', type: 'reminded' }, at })).toBeUndefined();
      expect((await store.due(new Date('2026-11-26T02:50:00Z'))).remind).toEqual([]);
      expect((await store.due(new Date('2026-11-26T02:50:00Z'))).escalate.map((t) => t.id)).toEqual([ticket.id]);
      await setup.close();
    });

    it('keeps drafts and notifications, and claims a notification once', async () => {
      const setup = factory();
      const store = await setup.open();
      const draft = { category: 'repair', community: null, description: '灯坏了', contact: null, asking: 'community' as const, requester: request.requester, privateChannel: false, attempts: 0 };
      await store.saveDraft('wecom:u1', draft, at);
      expect(await store.getDraft('wecom:u1')).toEqual(draft);
      await store.saveDraft('wecom:u1', { ...draft, community: 'yiyaogang' }, at);
      expect((await store.getDraft('wecom:u1'))?.community).toBe('yiyaogang');
      // Saved at `at`: returned when asked for drafts saved after an earlier moment, not a later one.
      expect((await store.getDraft('wecom:u1', new Date(at.getTime() - 1)))?.community).toBe('yiyaogang');
      expect(await store.getDraft('wecom:u1', at)).toBeUndefined();
      await store.deleteDraft('wecom:u1');
      expect(await store.getDraft('wecom:u1')).toBeUndefined();
      // Drafts last saved before a moment are deleted; later ones stay.
      await store.saveDraft('wecom:old', draft, at);
      await store.saveDraft('wecom:new', draft, new Date(at.getTime() + 60_000));
      expect(await store.deleteDraftsBefore(new Date(at.getTime() + 1))).toBe(1);
      expect(await store.getDraft('wecom:old')).toBeUndefined();
      expect(await store.getDraft('wecom:new')).toEqual(draft);
      expect(await store.deleteDraftsBefore(new Date(at.getTime() + 1))).toBe(0);

      const ticket = await store.create(request, at, 'requester');
      const notification = await store.addNotification({ ticketId: ticket.id, at: at.toISOString(), kind: 'new-ticket', recipient: 'worker:w1', text: '新工单', mentions: ['w1'], status: 'pending', error: null });
      expect(await store.claimNotification(notification.id, at)).toBe(true);
      expect(await store.claimNotification(notification.id, at)).toBe(false);
      // A claim never finished (its process died sending) goes back to pending once it is old enough.
      expect(await store.releaseNotificationClaims(at)).toBe(0);
      expect(await store.releaseNotificationClaims(new Date(at.getTime() + 1))).toBe(1);
      expect((await store.notifications({ status: 'pending' })).map((pending) => pending.id)).toEqual([notification.id]);
      expect(await store.claimNotification(notification.id, at)).toBe(true);
      await store.markNotification(notification.id, 'failed', 'timeout');
      expect(await store.releaseNotificationClaims(new Date(at.getTime() + 1))).toBe(0);
      expect(await store.notifications({ ticketId: ticket.id })).toEqual([{ ...notification, status: 'failed', error: 'timeout' }]);
      await setup.close();
    });
  });
}
