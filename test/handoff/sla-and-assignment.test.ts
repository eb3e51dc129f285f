import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Categories } from '../../src/assistant/categories.ts';
import { ManualClock } from '../../src/clock.ts';
import { nextOnDuty } from '../../src/handoff/assignment.ts';
import type { Notification } from '../../src/handoff/ticket.ts';
import { message, testApp } from '../helpers.ts';

const MINUTE = 60_000;
let clock: ManualClock;
let app: Awaited<ReturnType<typeof testApp>>;

beforeEach(async () => {
  clock = new ManualClock(new Date('2026-11-26T10:00:00+08:00'));
  app = await testApp({}, { clock });
});
afterEach(() => app.cleanup());

const request = async (text: string, user: string) => (await app.assistant.handle(message(text, { channel: 'wecom', user }))).ticket!;

describe('service levels on an injected clock', () => {
  it('are what the shipped knowledge base tells requesters to expect', async () => {
    // "多久有人联系" is answered from the documents: they must say what config/categories.yaml sets.
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    const said = await readFile(path.resolve('knowledge/contact-community-worker.md'), 'utf8');
    const setting = (minutes: number) => categories.list.filter((category) => category.acceptMinutes === minutes).length;
    const [usual] = categories.list.map((category) => category.acceptMinutes).sort((a, b) => setting(b) - setting(a));
    expect(said).toContain(`在岗时，一般在 ${usual} 分钟内接单联系你`);
    for (const category of categories.list.filter((one) => one.acceptMinutes !== usual)) expect(said).toContain(`${category.label}类在 ${category.acceptMinutes} 分钟内`);
  });

  it('reminds at the accept limit, escalates to the supervisor after that, once each', async () => {
    const ticket = await request('医药港宿舍水管爆了，快派人修', 'sla-1');
    clock.advance(29 * MINUTE);
    expect(await app.sla.tick()).toEqual({ reminded: [], escalated: [], alerted: [], forgottenDrafts: 0, redelivered: 0 });
    clock.advance(1 * MINUTE);
    expect((await app.sla.tick()).reminded).toEqual([ticket.id]);
    const reminders = (await app.tickets.notifications({ ticketId: ticket.id })).filter((notification) => notification.kind === 'reminder');
    expect(reminders.map((notification) => notification.recipient).sort()).toEqual(['staff-group:yiyaogang', 'worker:w-yyg-01']);
    expect(reminders[0]!.text).toBe(`⏰ 工单 #${ticket.id} 已等待 30 分钟未接单，@张敏（示例） 请尽快处理`);
    expect((await app.sla.tick()).reminded).toEqual([]); // fires once
    clock.advance(15 * MINUTE);
    expect((await app.sla.tick()).escalated).toEqual([ticket.id]);
    const escalation = (await app.tickets.notifications({ ticketId: ticket.id })).find((notification) => notification.recipient === 'worker:s-yiyaogang')!;
    expect(escalation.text).toBe(`【升级】工单 #${ticket.id}（报修 · 医药港产业社区）45 分钟无人接单，请协调。`);
    expect((await app.sla.tick()).escalated).toEqual([]);
  });

  it('tells a requester asking when where the ticket stands: the time left, past it and who was told, or taken on', async () => {
    const ticket = await request('医药港宿舍水管爆了，快派人修', 'sla-when');
    const ask = async (text: string) => (await app.assistant.handle(message(text, { channel: 'wecom', user: 'sla-when' }))).answer;
    const passedOn = `已转达给社区工作者张敏（示例）（工单 #${ticket.id}）。`;
    clock.advance(12 * MINUTE);
    expect(await ask('多久能来修？')).toBe(`${passedOn}工单还在等待接单，预计 18 分钟内会联系你。`);
    clock.advance(18 * MINUTE);
    expect(await ask('怎么还没人联系我')).toBe(`${passedOn}已经超过约定的接单时间，小融会提醒社区工作者，仍没有接单会上报负责人协调；情况紧急请拨打 110 或 120。`);
    await app.sla.tick();
    expect(await ask('师傅什么时候到')).toMatch(/已经超过约定的接单时间，小融已提醒社区工作者，仍没有接单会上报负责人协调；/);
    clock.advance(15 * MINUTE);
    await app.sla.tick();
    expect(await ask('能快点吗')).toMatch(/小融已提醒社区工作者，并已上报负责人协调；/);
    await app.desk.accept(ticket.id, 'w-yyg-01');
    expect(await ask('师傅几点到？')).toBe(`${passedOn}社区工作者已经接单，正在处理，有回复会第一时间转给你。`);
    // Each went to the worker too; what does not ask when is only passed on.
    expect(await ask('我在宿舍等着')).toBe(passedOn);
    const followUps = (await app.tickets.events(ticket.id)).filter((event) => event.type === 'requester-message');
    expect(followUps).toHaveLength(6);
    // Reopened, it waits to be taken on again, on a new clock.
    await app.desk.resolve(ticket.id, 'w-yyg-01');
    await ask('还是没修好');
    clock.advance(10 * MINUTE);
    expect(await ask('什么时候再来修')).toBe(`${passedOn}工单还在等待接单，预计 20 分钟内会联系你。`);
  });

  it('keeps a complaint\'s reminder and escalation from the staff group, as its notice was', async () => {
    const ticket = await request('我要投诉医药港的社工，报修一周了没人管', 'sla-complaint');
    expect(ticket).toMatchObject({ category: 'complaint', assignee: 's-yiyaogang' });
    clock.advance(30 * MINUTE);
    expect((await app.sla.tick()).reminded).toEqual([ticket.id]);
    clock.advance(15 * MINUTE);
    expect((await app.sla.tick()).escalated).toEqual([ticket.id]);
    const notifications = await app.tickets.notifications({ ticketId: ticket.id });
    expect(notifications.map((notification) => `${notification.kind} ${notification.recipient}`).filter((line) => !line.includes('address:'))).toEqual([
      'new-ticket worker:s-yiyaogang',
      'reminder worker:s-yiyaogang',
      'escalation worker:s-yiyaogang',
    ]);
  });

  it('uses per-category limits, and stops the accept timers once a worker accepts', async () => {
    const urgent = await request('最近压力特别大，想找医药港的心理老师聊聊', 'sla-2');
    expect(urgent.category).toBe('mental_health');
    clock.advance(15 * MINUTE);
    expect((await app.sla.tick()).reminded).toEqual([urgent.id]); // mental_health: 15 minutes
    const calm = await request('医药港宿舍门锁坏了，派人修', 'sla-3');
    await app.desk.accept(calm.id, 'w-yyg-01');
    clock.advance(60 * MINUTE);
    const fired = await app.sla.tick();
    expect(fired.reminded).not.toContain(calm.id);
    expect(fired.escalated).not.toContain(calm.id);
  });

  it('alerts the supervisor when an accepted ticket is not resolved in time', async () => {
    const ticket = await request('医药港宿舍窗户坏了，派人修', 'sla-4');
    await app.desk.accept(ticket.id, 'w-yyg-01');
    clock.advance(47 * 60 * MINUTE);
    expect((await app.sla.tick()).alerted).toEqual([]);
    clock.advance(1 * 60 * MINUTE); // repair: 48 hours
    expect((await app.sla.tick()).alerted).toEqual([ticket.id]);
    const alert = (await app.tickets.notifications({ ticketId: ticket.id })).at(-1)!;
    expect(alert).toMatchObject({ recipient: 'worker:s-yiyaogang', kind: 'resolve-overdue' });
  });

  it('forgets a request left half-filled for a day, with what it held', async () => {
    const asked = await app.assistant.handle(message('宿舍的灯坏了，我的电话13812345678', { channel: 'wecom', user: 'sla-5' }));
    expect(asked.ticket).toBeNull(); // the community is still missing
    expect((await app.tickets.getDraft('wecom:sla-5'))?.contact).toBe('13812345678');
    clock.advance(24 * 60 * MINUTE);
    expect((await app.sla.tick()).forgottenDrafts).toBe(0);
    clock.advance(1 * MINUTE);
    expect((await app.sla.tick()).forgottenDrafts).toBe(1);
    expect(await app.tickets.getDraft('wecom:sla-5')).toBeUndefined();
  });

  /** A notification as the desk raises it: pending, waiting for a channel. */
  const raise = (text: string) =>
    app.tickets.addNotification({ ticketId: null, at: clock.now().toISOString(), kind: 'reply', recipient: 'worker:w-yyg-01', text, mentions: [], status: 'pending', error: null });
  /** The ids of the notifications a channel is handed from now on. */
  const deliveries = () => {
    const ids: number[] = [];
    app.notifier.addDeliverer(async (notification) => (ids.push(notification.id), true));
    return ids;
  };
  const idsIn = async (status: Notification['status']) => (await app.tickets.notifications({ status })).map((notification) => notification.id);

  it('delivers again a notification whose delivery never came, once it has waited a minute', async () => {
    const delivered = deliveries();
    // Pending, as when the instance with the WeChat login never heard of it: nothing tries it again by itself.
    const lost = await raise('明天上午九点上门维修');
    clock.advance(1 * MINUTE);
    const recent = await raise('已受理');
    expect((await app.sla.tick()).redelivered).toBe(0);
    clock.advance(1);
    expect((await app.sla.tick()).redelivered).toBe(1);
    await app.notifier.settled();
    expect(delivered).toEqual([lost.id]);
    expect(await idsIn('sent')).toEqual([lost.id]);
    expect(await idsIn('pending')).toEqual([recent.id]);
    expect((await app.sla.tick()).redelivered).toBe(0);
  });

  it('delivers a notification whose sending was cut off by a crash, once its claim is ten minutes old', async () => {
    const raised = await raise('明天上午九点上门维修');
    // The process that took it died while sending: it stays "sending", and nothing else takes it.
    expect(await app.tickets.claimNotification(raised.id, clock.now())).toBe(true);
    const delivered = deliveries();
    clock.advance(10 * MINUTE);
    expect((await app.sla.tick()).redelivered).toBe(0);
    clock.advance(1);
    expect((await app.sla.tick()).redelivered).toBe(1);
    await app.notifier.settled();
    expect(delivered).toEqual([raised.id]);
    expect(await idsIn('sent')).toEqual([raised.id]);
  });
});

describe('duty hours', () => {
  it('say when a worker is next on duty: now if they are, else the start of their next shift', async () => {
    const worker = (days: number[], from: string, to: string) => ({ ...app.roster.roster.worker('s-yiyaogang')!, duty: { days, from, to } });
    const weekdays = worker([1, 2, 3, 4, 5], '08:30', '17:30');
    const at = (beijing: string) => new Date(`${beijing}+08:00`);
    expect(nextOnDuty(weekdays, at('2026-11-26T10:00:00'))).toEqual(at('2026-11-26T10:00:00')); // Thursday, on duty
    expect(nextOnDuty(weekdays, at('2026-11-26T07:15:20'))).toEqual(at('2026-11-26T08:30:00')); // before the shift
    expect(nextOnDuty(weekdays, at('2026-11-26T23:00:00'))).toEqual(at('2026-11-27T08:30:00')); // after it
    expect(nextOnDuty(weekdays, at('2026-11-27T17:30:00'))).toEqual(at('2026-11-30T08:30:00')); // Friday evening → Monday
    expect(nextOnDuty(worker([6], '09:00', '12:00'), at('2026-11-28T12:00:00'))).toEqual(at('2026-12-05T09:00:00')); // a week on
    const always = worker([1, 2, 3, 4, 5, 6, 7], '00:00', '24:00');
    expect(nextOnDuty(always, at('2026-11-29T03:00:00'))).toEqual(at('2026-11-29T03:00:00'));
  });
});

describe('assignment', () => {
  it('gives the worker with the fewest open tickets the next one, and takes turns among equals', async () => {
    // In 医药港, repair is a skill of 张敏 only (besides the supervisor): each repair goes to 张敏.
    // Disputes and training: 李华 only. "other": 张敏 and 李华 share it, by load then turns.
    const first = await request('医药港：想找人咨询孩子上学的事', 'rr-1');
    const second = await request('医药港：想找人咨询老人看病的事', 'rr-2');
    expect([first.assignee, second.assignee].sort()).toEqual(['w-yyg-01', 'w-yyg-02']);
    const repair = await request('医药港宿舍马桶堵了，派人修', 'rr-3');
    expect(repair.assignee).toBe('w-yyg-01');
    // 张敏 now has two open tickets, 李华 one: the next "other" goes to 李华.
    const third = await request('医药港：想找人反映个问题', 'rr-4');
    expect(third.assignee).toBe('w-yyg-02');
    const reason = (await app.tickets.get(third.id))!.assignmentReason;
    expect(reason).toMatch(/当前待办 1 件，为可接单人员中最少/);
  });

  it('sends a request to the supervisor, with the reason, when nobody with the skill is on duty', async () => {
    // Saturday night: 李华, the only dispute worker of 医药港, works weekdays.
    clock.set(new Date('2026-11-28T22:00:00+08:00'));
    const ticket = await request('医药港：老板拖欠工资两个月，帮我找人调解', 'off-duty');
    expect(ticket.category).toBe('dispute');
    expect(ticket.assignee).toBe('s-yiyaogang');
    expect((await app.tickets.get(ticket.id))!.assignmentReason).toBe('本社区暂无具备矛盾调解技能、在岗且未满额的社区工作者，转社区负责人');
  });
});
