import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { parseWorkerCommand, wordsForTicket } from '../../src/handoff/commands.ts';
import type { Notification } from '../../src/handoff/ticket.ts';
import { message, temporaryDirectory, testApp } from '../helpers.ts';

// Beijing time Thursday 09:00: every example worker is on duty.
const clock = new ManualClock(new Date('2026-11-26T09:00:00+08:00'));
let app: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  app = await testApp({}, { clock });
});
afterAll(() => app.cleanup());

const wecom = (text: string, options: Parameters<typeof message>[1] = {}) => message(text, { channel: 'wecom', ...options });
/** A community worker writing from WeCom (their roster address). */
const fromWorker = (address: string, text: string, group = '医药港社工群') => wecom(text, { user: address, group });
const notificationsOf = (ticketId: number): Promise<Notification[]> => app.tickets.notifications({ ticketId });
/** Alerts of someone who may be in danger, ticket or not, oldest first. */
const urgentAlerts = () => app.sql.all<{ recipient: string; text: string }>("SELECT recipient, text FROM notifications WHERE kind = 'urgent' ORDER BY id");

describe('a whole request, from a park group to the rating', () => {
  it('asks one question, opens and assigns a ticket, relays the worker, and closes with a rating', async () => {
    // The request in a group that config/rooms maps to no community: the community is asked for.
    const request = await app.assistant.handle(wecom('宿舍热水器坏了好几天了，能不能派人修', { user: 'xiaoli', group: '新员工交流群' }));
    expect(request.route).toBe('handoff');
    expect(request.category).toBe('repair');
    expect(request.ticket).toBeNull();
    expect(request.answer).toMatch(/请问你在哪个产业社区或园区/);
    expect(request.replies[0]!.mentions).toEqual(['xiaoli']);

    const answer = await app.assistant.handle(wecom('医药港', { user: 'xiaoli', group: '新员工交流群' }));
    expect(answer.ticket).toMatchObject({ status: 'assigned', category: 'repair', community: 'yiyaogang', assignee: 'w-yyg-01' });
    const id = answer.ticket!.id;
    expect(id).toBeGreaterThan(1000);
    expect(answer.answer).toBe(`已登记工单 #${id}（报修 · 医药港产业社区），已转给社区工作者张敏（示例），一般 30 分钟内会联系你。回复"取消"可撤销。`);

    const ticket = (await app.tickets.get(id))!;
    expect(ticket.assignmentReason).toMatch(/报修技能、在岗/);
    // Thanks for the registration is said to the bot: the worker is not paged with it.
    const thanks = await app.assistant.handle(wecom('好的，谢谢！', { user: 'xiaoli', group: '新员工交流群' }));
    expect(thanks.answer).toBe(`不客气！工单 #${id} 正由社区工作者张敏（示例）处理，有回复会第一时间转给你。`);
    expect((await app.assistant.handle(wecom('收到', { user: 'xiaoli', group: '新员工交流群' }))).answer).toMatch(/^好的。工单 #\d+ 正由/);
    const notices = await notificationsOf(id);
    expect(notices.map((notification) => notification.recipient)).toEqual(['worker:w-yyg-01', 'staff-group:yiyaogang']);
    expect(notices[1]!.text).toContain(`【新工单 #${id}】报修 · 医药港产业社区 · 来自 xiaoli（群聊）`);

    // The worker accepts and replies from the staff group.
    const accepted = await app.assistant.handle(fromWorker('zhangmin', `#${id} 接单`));
    expect(accepted.answer).toBe(`已接单 #${id}。回复"#${id} 回复 内容"答复对方，办好后发"#${id} 完成"。`);
    const replied = await app.assistant.handle(fromWorker('zhangmin', `#${id} 回复 已联系物业，明天上午 9 点上门维修`));
    expect(replied.answer).toContain('已发送给 xiaoli');
    const relay = (await notificationsOf(id)).find((notification) => notification.kind === 'reply')!;
    expect(JSON.parse(relay.recipient.slice('address:'.length))).toEqual({ channel: 'wecom', conversationId: '新员工交流群', userId: 'xiaoli', conversationKind: 'group' });
    expect(relay.mentions).toEqual(['xiaoli']);
    expect(relay.text).toBe(`【社区工作者 张敏（示例） · 工单 #${id}】已联系物业，明天上午 9 点上门维修`);

    // The requester's follow-up goes to the worker, not to the bot's answerer.
    const followUp = await app.assistant.handle(wecom('师傅几点到？', { user: 'xiaoli', group: '新员工交流群' }));
    expect(followUp.answer).toBe(`已转达给社区工作者张敏（示例）（工单 #${id}）。社区工作者已经接单，正在处理，有回复会第一时间转给你。`);
    expect((await notificationsOf(id)).at(-1)).toMatchObject({ recipient: 'worker:w-yyg-01', text: `【工单 #${id} · xiaoli 补充】师傅几点到？` });
    // Once the worker has spoken, an okay answers them and goes to them.
    await app.assistant.handle(wecom('好的', { user: 'xiaoli', group: '新员工交流群' }));
    expect((await notificationsOf(id)).at(-1)).toMatchObject({ recipient: 'worker:w-yyg-01', text: `【工单 #${id} · xiaoli 补充】好的` });

    // The worker answering in the group itself: the bot stays quiet.
    const workerInGroup = await app.assistant.handle(wecom('@xiaoli 我九点到', { user: 'zhangmin', group: '新员工交流群' }));
    expect(workerInGroup.replies).toEqual([]);

    const resolved = await app.assistant.handle(fromWorker('zhangmin', `#${id} 完成`));
    expect(resolved.answer).toBe(`工单 #${id} 已办结，已请对方评分。`);
    expect((await notificationsOf(id)).at(-1)!.text).toBe(`工单 #${id} 已办结。请为这次服务打分：回复 1–5（5 为非常满意）`);

    const rated = await app.assistant.handle(wecom('5', { user: 'xiaoli', group: '新员工交流群' }));
    expect(rated.ticket).toMatchObject({ id, status: 'closed' });
    expect((await app.tickets.get(id))!.rating).toBe(5);
    const events = (await app.tickets.events(id)).map((event) => event.type);
    expect(events).toEqual(['created', 'assigned', 'accepted', 'replied', 'requester-message', 'requester-message', 'resolved', 'rated']);
  });

  it('takes the community from the group, and continues a sensitive request in a direct chat', async () => {
    const inGroup = await app.assistant.handle(wecom('和主管吵架了，他威胁不给我发工资，帮我找人调解', { user: 'xiaozhao', group: '医药港员工交流群' }));
    expect(inGroup.replies[0]).toMatchObject({ text: '收到，我私信联系你，帮你对接社区工作者。', mentions: ['xiaozhao'] });
    const direct = inGroup.replies[1]!;
    expect(direct.direct).toBe(true);
    expect(direct.text).toMatch(/^你好，刚才群里说的情况我们单独聊。已登记工单 #\d+（矛盾调解 · 医药港产业社区）/);
    const ticket = (await app.tickets.get(inGroup.ticket!.id))!;
    expect(ticket).toMatchObject({ privateChannel: true, community: 'yiyaogang', category: 'dispute' });
    // The dispute goes to the worker with that skill, not to the repair worker.
    expect(ticket.assignee).toBe('w-yyg-02');
    // Replies go to the direct chat, never to the group.
    await app.desk.reply(ticket.id, 'w-yyg-02', '我下午给你打电话');
    const relay = (await notificationsOf(ticket.id)).find((notification) => notification.kind === 'reply')!;
    expect(JSON.parse(relay.recipient.slice('address:'.length))).toMatchObject({ conversationKind: 'direct', conversationId: 'xiaozhao' });
  });

  it('takes a complaint to the community\'s supervisor, one to one, not to the workers it may be about', async () => {
    const inGroup = await app.assistant.handle(wecom('我想投诉社工态度不好，报修三天了没人管', { user: 'complainer', group: '医药港员工交流群' }));
    expect(inGroup.category).toBe('complaint');
    expect(inGroup.replies[0]).toMatchObject({ text: '收到，我私信联系你，帮你对接社区工作者。', mentions: ['complainer'] });
    expect(inGroup.replies[1]).toMatchObject({ direct: true });
    expect(inGroup.replies[1]!.text).toMatch(/已登记工单 #\d+（投诉 · 医药港产业社区），已转给社区工作者王芳（示例）/);
    const ticket = (await app.tickets.get(inGroup.ticket!.id))!;
    expect(ticket).toMatchObject({ category: 'complaint', assignee: 's-yiyaogang', privateChannel: true, assignmentReason: '投诉由社区负责人处理' });
    // Neither the community's workers nor its staff group hear of it, and a colleague cannot take it over.
    expect((await notificationsOf(ticket.id)).map((notification) => notification.recipient)).toEqual(['worker:s-yiyaogang']);
    expect(await app.desk.accept(ticket.id, 'w-yyg-01')).toMatchObject({ ok: false, message: expect.stringMatching(/由王芳（示例）负责，你不能操作/) });
    expect(await app.desk.accept(ticket.id, 's-yiyaogang')).toMatchObject({ ok: true });
  });

  it('cancels a half-filled request and a live ticket on "取消"', async () => {
    await app.assistant.handle(wecom('转人工', { user: 'canceller' }));
    expect((await app.assistant.handle(wecom('取消', { user: 'canceller' }))).answer).toBe('好的，已取消这次登记。有需要随时找我。');
    const opened = await app.assistant.handle(wecom('大创小镇宿舍的门锁坏了，帮忙派人修', { user: 'canceller' }));
    expect(opened.ticket).toMatchObject({ community: 'dachuang', assignee: 'w-dc-01' });
    // Fixed meanwhile: passed on, and how to withdraw it said; "今天下午来就行" after "不用了" is no such news.
    const fixed = await app.assistant.handle(wecom('不用了，已经修好了', { user: 'canceller' }));
    expect(fixed.answer).toBe(`已转达给社区工作者陈刚（示例）（工单 #${opened.ticket!.id}）。如果已经不需要了，回复"取消"即可撤销工单。`);
    expect((await notificationsOf(opened.ticket!.id)).at(-1)).toMatchObject({ recipient: 'worker:w-dc-01', text: expect.stringContaining('不用了，已经修好了') });
    for (const text of ['不用了，今天下午来就行', '还是没修好了', '修好了吗']) {
      expect((await app.assistant.handle(wecom(text, { user: 'canceller' }))).answer, text).toBe(`已转达给社区工作者陈刚（示例）（工单 #${opened.ticket!.id}）。`);
    }
    expect((await app.tickets.get(opened.ticket!.id))!.status).toBe('assigned');
    const cancelled = await app.assistant.handle(wecom('取消', { user: 'canceller' }));
    expect(cancelled.ticket).toMatchObject({ id: opened.ticket!.id, status: 'cancelled' });
    expect((await notificationsOf(opened.ticket!.id)).at(-1)).toMatchObject({ recipient: 'worker:w-dc-01', kind: 'cancelled' });
    // Nothing left to cancel: said so, rather than greeted.
    expect(await app.assistant.handle(wecom('取消', { user: 'canceller' }))).toMatchObject({ route: 'handoff', answer: '现在没有正在登记的事情或进行中的工单需要取消。有需要随时找我。' });
  });

  it('hears a withdrawal said more fully than "取消" as one, and nothing else', async () => {
    // Its own app: the tickets opened here would change who later tickets go to.
    const own = await testApp({}, { clock });
    try {
      // Each was passed to the worker as news, though the confirmation had said how to withdraw.
      for (const [index, text] of ['取消工单', '算了不用了', '我要撤销这个申请', '不用了，取消吧'].entries()) {
        const user = `withdrawer-${index}`;
        const opened = await own.assistant.handle(wecom('医药港宿舍的灯坏了，派人来修', { user }));
        expect(opened.ticket, text).toMatchObject({ status: 'assigned' });
        expect(await own.assistant.handle(wecom(text, { user })), text).toMatchObject({ ticket: { id: opened.ticket!.id, status: 'cancelled' } });
      }
      await own.assistant.handle(wecom('转人工', { user: 'withdrawer-draft' }));
      expect((await own.assistant.handle(wecom('帮我取消一下', { user: 'withdrawer-draft' }))).answer).toBe('好的，已取消这次登记。有需要随时找我。');
      // Asking whether it is withdrawn, or refusing to, withdraws nothing.
      const kept = await own.assistant.handle(wecom('医药港宿舍的灯坏了，派人来修', { user: 'withdrawer-not' }));
      for (const text of ['取消了吗', '我不想取消', '取消培训报名']) await own.assistant.handle(wecom(text, { user: 'withdrawer-not' }));
      expect((await own.tickets.get(kept.ticket!.id))!.status).toBe('assigned');
    } finally {
      await own.cleanup();
    }
  });

  it('asks what is needed when someone only says 转人工, then where', async () => {
    const first = await app.assistant.handle(wecom('转人工', { user: 'bare' }));
    expect(first.answer).toBe('好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？');
    const second = await app.assistant.handle(wecom('想给孩子问问上学的事', { user: 'bare' }));
    expect(second.answer).toMatch(/请问你在哪个产业社区或园区/);
    const third = await app.assistant.handle(wecom('金沙湖那边', { user: 'bare' }));
    expect(third.answer).toMatch(/没找到这个社区/);
    const fourth = await app.assistant.handle(wecom('白杨街道', { user: 'bare' }));
    expect(fourth.ticket).toMatchObject({ community: 'baiyang-linli', category: 'other' });
  });

  it('does not send a worker a ticket that only says where the requester is: it asks what is needed', async () => {
    const where = await app.assistant.handle(wecom('我们公司在大创小镇', { user: 'says-where' }));
    expect(where).toMatchObject({ route: 'handoff', ticket: null, answer: '好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？' });
    const what = await app.assistant.handle(wecom('想对接企业服务', { user: 'says-where' }));
    expect(what.ticket).toMatchObject({ community: 'dachuang', category: 'enterprise_service' });
    expect((await app.tickets.get(what.ticket!.id))!.description).toBe('想对接企业服务');
  });

  it('files a bare "转人工" under what the requester then says it is about, and asks again when they only say where', async () => {
    const user = 'bare-then-repair';
    await app.assistant.handle(wecom('转人工', { user }));
    const where = await app.assistant.handle(wecom('我在医药港上班', { user }));
    expect(where).toMatchObject({ ticket: null, answer: '好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？' });
    const what = await app.assistant.handle(wecom('宿舍热水器坏了', { user }));
    expect(what.ticket).toMatchObject({ community: 'yiyaogang', category: 'repair', assignee: 'w-yyg-01' });
    expect((await app.tickets.get(what.ticket!.id))!.description).toBe('宿舍热水器坏了');
    // In a group, a sensitive matter is not moved to a direct chat halfway: it stays 其他 there.
    await app.assistant.handle(wecom('转人工', { user: 'bare-in-group', group: '大创小镇员工群' }));
    const wages = await app.assistant.handle(wecom('老板欠我工资 我在大创小镇', { user: 'bare-in-group', group: '大创小镇员工群' }));
    expect(wages.ticket).toMatchObject({ category: 'other', community: 'dachuang' });
  });

  it('takes "转人工" right after a question to be about that question: the worker gets it, the requester does not say it again', async () => {
    const user = 'asks-then-person';
    const unanswered = await app.assistant.handle(wecom('蓝领公寓一个月房租多少钱', { user }));
    expect(unanswered.answer).toContain('转人工');
    const person = await app.assistant.handle(wecom('转人工', { user }));
    expect(person).toMatchObject({ route: 'handoff', category: 'housing' });
    expect(person.answer).toBe('好的，我把你刚才问的问题转给社区工作者查询。请问你在哪个产业社区或园区？（例如：医药港、大创小镇、白杨街道邻里社区）');
    const placed = await app.assistant.handle(wecom('医药港', { user }));
    expect(placed.ticket).toMatchObject({ category: 'housing', community: 'yiyaogang' });
    expect((await app.tickets.get(placed.ticket!.id))!.description).toBe('蓝领公寓一个月房租多少钱');

    // Said in other words, or as yes to the person the answer offered.
    await app.assistant.handle(wecom('蓝领公寓可以带宠物吗', { user: 'asks-pets' }));
    expect(await app.assistant.handle(wecom('好的，那帮我问问社工吧', { user: 'asks-pets' }))).toMatchObject({ category: 'housing', answer: expect.stringMatching(/^好的，我把你刚才问的问题/) });
    // "那我该找谁" asks who can answer it: it had been taken for a question about the apartments.
    await app.assistant.handle(wecom('蓝领公寓可以带宠物吗', { user: 'asks-whom' }));
    expect(await app.assistant.handle(wecom('那我该找谁', { user: 'asks-whom' }))).toMatchObject({ route: 'handoff', category: 'housing', answer: expect.stringMatching(/^好的，我把你刚才问的问题/) });
    // Asked with nothing before it, it is asked what about.
    expect(await app.assistant.handle(wecom('找谁', { user: 'asks-whom-alone' }))).toMatchObject({ route: 'handoff', category: 'other', answer: '好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？' });
    const offered = await app.assistant.handle(wecom('邻里中心能住吗', { user: 'says-yes' }));
    expect(offered.answer).toMatch(/\n需要住房方面的帮助，可以回复"转人工"，由社区工作者联系你。$/);
    expect(await app.assistant.handle(wecom('需要', { user: 'says-yes' }))).toMatchObject({ category: 'housing', answer: expect.stringMatching(/^好的，我把你刚才问的问题/) });
    // What was said and not asked is passed on, not looked up.
    await app.assistant.handle(wecom('找个工作', { user: 'says-job' }));
    const job = await app.assistant.handle(wecom('转人工', { user: 'says-job' }));
    expect(job.answer).toMatch(/^好的，我把你刚才说的情况转给社区工作者。请问你在哪个产业社区或园区/);

    // Something wrong said with a question: the question is answered, the service offered, and the
    // person asked for is for that service, with all that was said.
    const mixed = await app.assistant.handle(wecom('宿舍空调坏了，另外问一下邻里中心有几个', { user: 'says-and-asks' }));
    expect(mixed).toMatchObject({ route: 'answer', answer: expect.stringMatching(/14108间房源\[1\]。\n需要报修方面的帮助，可以回复"转人工"，由社区工作者联系你。$/) });
    expect(await app.assistant.handle(wecom('转人工', { user: 'says-and-asks' }))).toMatchObject({ route: 'handoff', category: 'repair' });
    const repair = await app.assistant.handle(wecom('临江', { user: 'says-and-asks' }));
    expect((await app.tickets.get(repair.ticket!.id))!).toMatchObject({ category: 'repair', description: '宿舍空调坏了，另外问一下邻里中心有几个' });

    // The trouble said comes before what the question is about: no offer of help with housing.
    const owed = await app.assistant.handle(wecom('老板拖了我两个月工资，另外问下邻里中心有几个', { user: 'owed-and-asks' }));
    expect(owed.answer).toMatch(/14108间房源\[1\]。\n需要矛盾调解方面的帮助，可以回复"转人工"，由社区工作者联系你。$/);

    // Asked for a person with a question beside it: the question is answered in the group, and the
    // request, about the rest, goes on in private. It had been filed under housing, unanswered.
    const asideMessage = wecom('工资被拖欠了，帮我找人调解，顺便问下邻里中心有几个', { user: 'asks-aside', group: '园区员工群' });
    const aside = await app.assistant.handle(asideMessage);
    expect(aside).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(aside.replies.map((reply) => [reply.text.slice(0, 12), reply.direct ?? false, reply.mentions ?? []])).toEqual([
      ['已建成下沙邻里中心、新雁', false, ['asks-aside']],
      ['收到，我私信联系你，帮你', false, ['asks-aside']],
      ['你好，刚才群里说的情况我', true, []],
    ]);
    expect(aside.replies[0]!.citations).toEqual([expect.objectContaining({ n: 1, source: 'faq.md' })]);
    expect(aside.answer).toMatch(/^已建成下沙邻里中心[^\n]*14108间房源\[1\]。\n收到，我私信联系你/);
    // A value the documents do not state, asked beside a request, is said not to be stated, and the
    // worker named as the one to ask: "培训要钱吗" had gone unanswered.
    const price = await app.assistant.handle(wecom('我要报名技能培训，培训要钱吗', { user: 'asks-price-aside' }));
    expect(price).toMatchObject({ route: 'handoff', category: 'training' });
    expect(price.replies.map((reply) => reply.text)).toEqual(['现有资料里没有写明培训的收费标准，社区工作者联系你时可以一并问问。', expect.stringMatching(/^好的，我来帮你登记技能培训/)]);
    // Every question asked beside it is: the rent had gone unanswered, after the rooms.
    const two = await app.assistant.handle(wecom('你好，我是医药港一家企业的人事，我们想给员工申请宿舍，邻里中心还有房吗？房租怎么算？', { user: 'asks-two-aside' }));
    expect(two.route).toBe('handoff');
    expect(two.replies[0]!.text).toMatch(/^已建成下沙邻里中心[^\n]*14108间房源\[1\]。\n现有资料没有写明房租标准[^\n]*\[2\]。$/);
    expect(two.replies[0]!.citations!.map((citation) => citation.n)).toEqual([1, 2]);

    // Declined as beyond the bot, with a person offered: the person gets what was asked.
    const declined = await app.assistant.handle(wecom('电脑蓝屏了怎么办', { user: 'blue-screen' }));
    expect(declined).toMatchObject({ route: 'out_of_scope', answer: expect.stringContaining('帮你联系社区工作者') });
    expect((await app.assistant.handle(wecom('转人工', { user: 'blue-screen' }))).answer).toMatch(/^好的，我把你刚才问的问题/);
    const blueScreen = await app.assistant.handle(wecom('大创小镇', { user: 'blue-screen' }));
    expect((await app.tickets.get(blueScreen.ticket!.id))!.description).toBe('电脑蓝屏了怎么办');

    // No to the person offered is a goodbye, not a request; "需要" out of the blue asks what about.
    await app.assistant.handle(wecom('邻里中心能住吗', { user: 'says-no' }));
    expect(await app.assistant.handle(wecom('不需要', { user: 'says-no' }))).toMatchObject({ route: 'greeting', answer: '好的，有需要随时找我。', ticket: null });
    expect((await app.assistant.handle(wecom('不用了', { user: 'says-no' }))).answer).toBe('好的，有需要随时找我。');
    expect(await app.assistant.handle(wecom('需要', { user: 'says-need' }))).toMatchObject({ route: 'handoff', answer: '好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？' });
    expect((await app.assistant.handle(wecom('算了，不需要了', { user: 'says-need' }))).answer).toBe('好的，已取消这次登记。有需要随时找我。');

    // A question about a programme is no request of any kind: not a mental-health one, kept in the group.
    await app.assistant.handle(wecom('融治理是什么', { user: 'asks-policy', group: '新员工交流群' }));
    const policy = await app.assistant.handle(wecom('转人工', { user: 'asks-policy', group: '新员工交流群' }));
    expect(policy).toMatchObject({ category: 'other', answer: expect.stringMatching(/^好的，我把你刚才问的问题转给社区工作者查询/) });
    expect(policy.replies.every((reply) => !reply.direct)).toBe(true);

    // Once something else came between, "转人工" is a new request again.
    await app.assistant.handle(wecom('蓝领公寓一个月房租多少钱', { user: 'asks-greets-person' }));
    await app.assistant.handle(wecom('你好', { user: 'asks-greets-person' }));
    expect((await app.assistant.handle(wecom('转人工', { user: 'asks-greets-person' }))).answer).toBe('好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？');
  });

  it('keeps what the requester adds while asked for the community, and sends it to the worker with the request', async () => {
    const user = 'adds-details';
    await app.assistant.handle(wecom('宿舍空调坏了', { user }));
    const corrected = await app.assistant.handle(wecom('不对，是热水器坏了', { user }));
    expect(corrected.answer).toBe('已记下，会一并转给社区工作者。还需要知道你在哪个产业社区或园区，例如：白杨、临江、医药港、大创。回复"取消"可撤销。');
    await app.assistant.handle(wecom('水管也漏了 电话13812345678', { user }));
    // More said than asked for is not a failed answer: the request is still there after three replies.
    expect((await app.assistant.handle(wecom('下沙', { user }))).answer).toMatch(/^没找到这个社区/);
    const placed = await app.assistant.handle(wecom('我在大创小镇上班', { user }));
    expect(await app.tickets.get(placed.ticket!.id)).toMatchObject({
      category: 'repair',
      community: 'dachuang',
      contact: '13812345678',
      description: '宿舍空调坏了；不对，是热水器坏了；水管也漏了 电话13812345678',
    });
    const notifications = await notificationsOf(placed.ticket!.id);
    expect(notifications.find((notification) => notification.recipient === 'worker:w-dc-01')?.text).toContain('内容：宿舍空调坏了；不对，是热水器坏了；水管也漏了 电话13812345678');
    // Naming the community with more besides: the more goes with the request; the place alone does not.
    await app.assistant.handle(wecom('宿舍灯坏了', { user: 'names-and-adds' }));
    const withMore = await app.assistant.handle(wecom('医药港宿舍三号楼，门锁也坏了', { user: 'names-and-adds' }));
    expect(await app.tickets.get(withMore.ticket!.id)).toMatchObject({ community: 'yiyaogang', description: '宿舍灯坏了；医药港宿舍三号楼，门锁也坏了' });
    await app.assistant.handle(wecom('宿舍灯坏了', { user: 'names-only' }));
    const placeOnly = await app.assistant.handle(wecom('我在白杨街道邻里社区上班', { user: 'names-only' }));
    expect(await app.tickets.get(placeOnly.ticket!.id)).toMatchObject({ community: 'baiyang-linli', description: '宿舍灯坏了' });
    // The staff group sees the same words, the number masked.
    expect(notifications.find((notification) => notification.recipient === 'staff-group:dachuang')?.text).toContain('内容：宿舍空调坏了；不对，是热水器坏了；水管也漏了 电话138****5678');
  });

  it('takes a rating in words or Chinese numerals, and asks again for a number off the scale', async () => {
    const rate = async (user: string, said: string) => {
      const opened = await app.assistant.handle(wecom('临江街道这边宿舍门锁坏了，请派人修', { user }));
      await app.desk.resolve(opened.ticket!.id, 'w-lj-01');
      const reply = await app.assistant.handle(wecom(said, { user }));
      return { reply, ticket: (await app.tickets.get(opened.ticket!.id))! };
    };
    for (const [said, score] of [['非常满意！', 5], ['五星', 5], ['满意', 4], ['一般', 3], ['很不满意', 1]] as const) {
      expect((await rate(`rates-${score}-${said}`, said)).ticket, said).toMatchObject({ status: 'closed', rating: score });
    }
    const off = await rate('rates-off', '6');
    expect(off.ticket).toMatchObject({ status: 'resolved', rating: null });
    expect(off.reply.answer).toBe(`工单 #${off.ticket.id} 的评分请回复 1–5 之间的数字（5 为非常满意），也可以回复"满意""一般"等。`);
  });

  it('notifies the supervisor of a low rating, and reopens when the requester says it is not solved', async () => {
    const opened = await app.assistant.handle(wecom('临江街道这边宿舍漏水了，请派人修 电话13812345678', { user: 'rater' }));
    const id = opened.ticket!.id;
    await app.desk.resolve(id, 'w-lj-01');
    const reopened = await app.assistant.handle(wecom('还是不行，没修好', { user: 'rater' }));
    expect(reopened.ticket).toMatchObject({ id, status: 'reopened' });
    await app.desk.resolve(id, 'w-lj-01');
    await app.assistant.handle(wecom('1', { user: 'rater' }));
    const low = (await notificationsOf(id)).find((notification) => notification.kind === 'low-rating')!;
    expect(low).toMatchObject({ recipient: 'worker:s-linjiang' });
    expect(low.text).toContain('获评 1 分');
    // Rated and closed, it is still reopened within days, its rating set aside; a week later, it is not.
    const again = await app.assistant.handle(wecom('修完还是没修好', { user: 'rater' }));
    expect(again.ticket).toMatchObject({ id, status: 'reopened' });
    expect(await app.tickets.get(id)).toMatchObject({ rating: null });
    await app.desk.resolve(id, 'w-lj-01');
    await app.assistant.handle(wecom('4', { user: 'rater' }));
    clock.advance(8 * 24 * 3600_000);
    try {
      expect((await app.assistant.handle(wecom('还是没修好', { user: 'rater' }))).ticket?.status).not.toBe('reopened');
      expect(await app.tickets.get(id)).toMatchObject({ status: 'closed', rating: 4 });
    } finally {
      clock.advance(-8 * 24 * 3600_000);
    }
  });
});

describe('questions asked while a request is open', () => {
  it('answers a question of its own while asking where the requester is, and keeps the request', async () => {
    const user = 'asks-meanwhile';
    await app.assistant.handle(wecom('宿舍热水器坏了，能派人修吗', { user }));
    const deltas: string[] = [];
    const asked = await app.assistant.handle(wecom('钱塘区有几个产业社区？', { user }), (event) => {
      if (event.type === 'text-delta') deltas.push(event.text);
    });
    expect(asked.route).toBe('answer');
    expect(asked.ticket).toBeNull();
    expect(asked.citations.length).toBeGreaterThan(0);
    expect(asked.answer).toMatch(/建制型产业社区/);
    expect(asked.answer.endsWith('\n另外，登记报修还需要知道你在哪个产业社区或园区，直接回复社区名称即可；回复"取消"可撤销。')).toBe(true);
    expect(asked.replies.at(-1)!.text).toBe(asked.answer);
    // A streaming channel shows the same text the result carries.
    expect(deltas.join('')).toBe(asked.answer);

    // Said about the request, even with a question in it: the community is taken.
    const placed = await app.assistant.handle(wecom('我在医药港，什么时候能来修？', { user }));
    expect(placed.ticket).toMatchObject({ category: 'repair', community: 'yiyaogang' });

    // A question the documents do not answer is no place either: told so, and the request waits.
    await app.assistant.handle(wecom('想报名技能培训', { user: 'asks-price-meanwhile' }));
    const price = await app.assistant.handle(wecom('培训要钱吗', { user: 'asks-price-meanwhile' }));
    expect(price).toMatchObject({ route: 'no_answer', ticket: null });
    expect(price.answer).toMatch(/^现有资料里没有写明培训的收费标准，[^]*\n另外，登记技能培训还需要知道你在哪个产业社区或园区/);
    expect((await app.assistant.handle(wecom('大创', { user: 'asks-price-meanwhile' }))).ticket).toMatchObject({ category: 'training', community: 'dachuang' });

    // Asked of nothing named, it is asked of what the request asked about: "要钱吗" had been "没有找到".
    await app.assistant.handle(wecom('蓝领公寓怎么申请', { user: 'asks-of-the-request' }));
    const fee = await app.assistant.handle(wecom('要钱吗', { user: 'asks-of-the-request' }));
    expect(fee).toMatchObject({ route: 'no_answer', ticket: null });
    expect(fee.answer).toMatch(/^现有资料里没有写明蓝领公寓的收费标准，[^]*\n另外，登记住房还需要知道你在哪个产业社区或园区/);
    expect((await app.assistant.handle(wecom('取消', { user: 'asks-of-the-request' }))).ticket).toBeNull();
  });

  it('answers a question of its own on a live ticket and passes it on; anything else only goes to the worker', async () => {
    const user = 'asks-on-ticket';
    const id = (await app.assistant.handle(wecom('大创小镇宿舍的窗户坏了，能不能派人修一下', { user }))).ticket!.id;

    // A trouble is no topic for what is asked next: "那临江的呢" had been asked of the broken window.
    const elsewhere = await app.assistant.handle(wecom('那临江的呢', { user }));
    expect(elsewhere.answer).toMatch(/^临江产业邻里中心和芯谷产业邻里中心正在建设中/);

    const question = await app.assistant.handle(wecom('五融是什么？', { user }));
    expect(question.route).toBe('answer');
    expect(question.citations.length).toBeGreaterThan(0);
    expect(question.answer).toMatch(/力量融聚/);
    expect(question.answer.endsWith(`\n这条消息也已转给社区工作者陈刚（示例）（工单 #${id}）。`)).toBe(true);
    expect((await notificationsOf(id)).at(-1)).toMatchObject({ recipient: 'worker:w-dc-01', text: `【工单 #${id} · ${user} 补充】五融是什么？` });

    // About the ticket: the documents have a word of it ("处理") but not all of it.
    const aboutTicket = await app.assistant.handle(wecom('什么时候能处理？', { user }));
    expect(aboutTicket.route).toBe('handoff');
    expect(aboutTicket.answer).toBe(`已转达给社区工作者陈刚（示例）（工单 #${id}）。工单还在等待接单，预计 30 分钟内会联系你。`);
    expect((await notificationsOf(id)).at(-1)!.text).toBe(`【工单 #${id} · ${user} 补充】什么时候能处理？`);
  });

  it('asks which community when two are named, rather than guess, and says "this matter" for a request of no category', async () => {
    const user = 'names-two';
    const request = await app.assistant.handle(wecom('我住白杨街道，在医药港上班，宿舍的门锁坏了，派人修一下', { user }));
    expect(request.ticket).toBeNull();
    expect(request.answer).toBe('你提到了白杨街道邻里社区和医药港产业社区，这次要找哪个社区处理？直接回复社区名称即可；回复"取消"可撤销。');
    // Asked where, the requester compares two: still not one of them.
    const compared = await app.assistant.handle(wecom('医药港和大创小镇哪个离地铁近', { user }));
    expect(compared.ticket).toBeNull();
    expect(compared.answer).toBe('你提到了医药港产业社区和大创小镇产业社区，这次要找哪个社区处理？直接回复社区名称即可；回复"取消"可撤销。');
    const placed = await app.assistant.handle(wecom('白杨', { user }));
    expect(placed.ticket).toMatchObject({ category: 'repair', community: 'baiyang-linli' });

    const other = await app.assistant.handle(wecom('转人工', { user: 'no-category' }));
    expect(other.category).toBe('other');
    expect((await app.assistant.handle(wecom('想咨询孩子上学的事', { user: 'no-category' }))).answer).toBe(
      '好的，我来帮你登记这件事。请问你在哪个产业社区或园区？（例如：医药港、大创小镇、白杨街道邻里社区）',
    );
  });

  it('gives a request whose requester cannot say which community to the dispatcher, who transfers it', async () => {
    const user = 'lives-in-xiasha';
    await app.assistant.handle(wecom('宿舍门锁坏了', { user }));
    // Thanks is heard, not taken for a place nor added to the request.
    expect((await app.assistant.handle(wecom('谢谢', { user }))).answer).toBe(
      '不客气。登记还需要知道你在哪个产业社区或园区，例如：白杨、临江、医药港、大创。不清楚的话回复"不清楚"，我先转给社区工作者帮你对接。回复"取消"可撤销。',
    );
    // So is a hello from someone coming back to the chat.
    expect((await app.assistant.handle(wecom('你好', { user }))).answer).toMatch(/^登记还需要知道你在哪个产业社区或园区/);
    // Or asking whether anyone is there: it had been taken for a question to be asked of the worker.
    expect((await app.assistant.handle(wecom('有人吗？', { user }))).answer).toMatch(/^登记还需要知道你在哪个产业社区或园区/);
    // A place no community covers: asked once more, then the dispatcher (孙燕, of 白杨) takes it.
    expect((await app.assistant.handle(wecom('在下沙', { user }))).answer).toMatch(/^没找到这个社区。.*不清楚的话回复"不清楚"/);
    const filed = await app.assistant.handle(wecom('下沙邻里中心', { user }));
    expect(filed.ticket).toMatchObject({ category: 'repair', community: 'baiyang-linli', assignee: 's-baiyang' });
    const id = filed.ticket!.id;
    expect(filed.answer).toBe(`已登记工单 #${id}（报修），已转给社区工作者孙燕（示例），会帮你转到所在社区的社区工作者；一般 30 分钟内会联系你。回复"取消"可撤销。`);
    expect(await app.tickets.get(id)).toMatchObject({ description: '宿舍门锁坏了', assignmentReason: `对方说不清所在社区（"下沙邻里中心"），请确认后发"#${id} 转 姓名"转给对应社区的社区工作者` });
    // Transferred to a worker of another community, the ticket is that community's.
    expect((await app.assistant.handle(fromWorker('sunyan', `#${id} 转 张敏`, '白杨街道邻里社区社工群'))).answer).toBe(`工单 #${id} 已转给张敏（示例）。`);
    expect(await app.tickets.get(id)).toMatchObject({ community: 'yiyaogang', assignee: 'w-yyg-01', status: 'assigned' });
    expect(await app.tickets.list({ community: 'yiyaogang' })).toEqual(expect.arrayContaining([expect.objectContaining({ id })]));

    // Two characters around what is said of a place are a place ("在下沙"); one is not ("宿舍的事").
    await app.assistant.handle(wecom('转人工', { user: 'says-what' }));
    await app.assistant.handle(wecom('就是想问问', { user: 'says-what' }));
    expect((await app.assistant.handle(wecom('宿舍的事', { user: 'says-what' }))).answer).toMatch(/^已记下，会一并转给社区工作者/);

    // "不清楚" says it at once.
    await app.assistant.handle(wecom('想报名技能培训', { user: 'does-not-know' }));
    expect((await app.assistant.handle(wecom('不清楚', { user: 'does-not-know' }))).ticket).toMatchObject({ category: 'training', assignee: 's-baiyang' });
    // So does asking which: "不知道是哪个社区？" had been answered with the list of communities.
    await app.assistant.handle(wecom('宿舍热水器坏了', { user: 'asks-which' }));
    expect((await app.assistant.handle(wecom('不知道是哪个社区？', { user: 'asks-which' }))).ticket).toMatchObject({ category: 'repair', assignee: 's-baiyang' });
  });

  it('without a dispatcher, asks again and lets the request go', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const rosterFile = path.join(dir, 'roster.yaml');
    await writeFile(rosterFile, (await readFile(path.resolve('config/roster.example.yaml'), 'utf8')).replace(/^dispatcher: .*$/m, ''));
    const plain = await testApp({ ROSTER_FILE: rosterFile }, { clock });
    try {
      const user = 'no-dispatcher';
      await plain.assistant.handle(wecom('宿舍门锁坏了', { user }));
      expect((await plain.assistant.handle(wecom('不清楚', { user }))).answer).toBe('没找到这个社区。请告诉我你所在的产业社区或园区，例如：白杨、临江、医药港、大创。回复"取消"可撤销。');
      expect((await plain.assistant.handle(wecom('在下沙', { user }))).ticket).toBeNull();
      expect((await plain.assistant.handle(wecom('下沙邻里中心', { user }))).answer).toMatch(/刚才登记的报修还不知道你在哪个产业社区，已先取消/);
    } finally {
      await plain.cleanup();
      await cleanup();
    }
  });

  it('lets a half-filled request go after asking twice in vain, or after a day', async () => {
    const user = 'moves-on';
    await app.assistant.handle(wecom('宿舍热水器坏了，能派人修吗', { user }));
    // How long it takes is the documents' to say, and asking it is no attempt.
    expect((await app.assistant.handle(wecom('这个要多久', { user }))).answer).toMatch(/一般在 30 分钟内接单联系你[^]*\n另外，登记报修还需要知道/);
    // A question the documents do not answer names no community, and none was wrong: it had been
    // "没找到这个社区". It still counts as asked in vain.
    expect((await app.assistant.handle(wecom('什么时候能来修', { user }))).answer).toMatch(/^这个社区工作者联系你时可以一并问问。登记报修还需要先知道你在哪个产业社区或园区，例如：/);
    expect((await app.assistant.handle(wecom('员工心理压力大，企业能找谁', { user }))).answer).toMatch(/^这个社区工作者联系你时可以一并问问。/);
    const third = await app.assistant.handle(wecom('下沙邻里中心有食堂吗', { user }));
    expect(third.route).not.toBe('handoff');
    expect(third.answer.endsWith('\n刚才登记的报修还不知道你在哪个产业社区，已先取消；需要时回复"转人工"重新登记。')).toBe(true);
    // Nothing is left waiting: a community named now is just a message.
    expect((await app.assistant.handle(wecom('医药港', { user }))).ticket).toBeNull();

    const late = 'comes-back-later';
    await app.assistant.handle(wecom('宿舍热水器坏了，能派人修吗', { user: late }));
    clock.advance(25 * 3600_000);
    try {
      const next = await app.assistant.handle(wecom('医药港', { user: late }));
      expect(next.route).not.toBe('handoff');
      expect(next.ticket).toBeNull();
    } finally {
      clock.advance(-25 * 3600_000);
    }
  });

  it('never answers in the group beside a request that moved to a direct chat', async () => {
    const user = 'private-asker';
    const group = '医药港员工交流群';
    const opened = await app.assistant.handle(wecom('工资被拖欠了三个月，心里很烦，想找人调解', { user, group }));
    expect(await app.tickets.get(opened.ticket!.id)).toMatchObject({ privateChannel: true });
    const asked = await app.assistant.handle(wecom('五融是什么？', { user, group }));
    expect(asked.route).toBe('handoff');
    expect(asked.replies).toHaveLength(1);
    expect(asked.replies[0]).toMatchObject({ direct: true, text: expect.stringMatching(/^已转达给社区工作者/) });
  });
});

describe('a request made at night', () => {
  it('promises a call within minutes only when the assignee is on duty, and says what to do meanwhile when not', async () => {
    // Beijing time Thursday 23:00: 张敏 works round the clock; 李华 and 王芳 are off duty.
    const nightClock = new ManualClock(new Date('2026-11-26T23:00:00+08:00'));
    const night = await testApp({}, { clock: nightClock });
    try {
      const repair = await night.assistant.handle(message('医药港宿舍门锁坏了，派人来修', { channel: 'wecom', user: 'late-1' }));
      expect(repair.answer).toMatch(/已转给社区工作者张敏（示例），一般 30 分钟内会联系你。回复"取消"可撤销。$/);
      const talk = await night.assistant.handle(message('我在医药港，最近压力很大，想找心理老师聊聊', { channel: 'wecom', user: 'late-2' }));
      expect(talk.ticket).toMatchObject({ assignee: 's-yiyaogang' });
      expect(talk.answer).toMatch(/已转给社区工作者王芳（示例），现在不在工作时间，王芳（示例）上班后会尽快联系你；情况紧急请拨打 110 或 120。回复"取消"可撤销。$/);
      // Her clock starts when her shift does (Friday 08:30): no one is reminded or alerted in the night.
      expect(await night.tickets.get(talk.ticket!.id)).toMatchObject({ acceptDueAt: new Date('2026-11-27T08:45:00+08:00').toISOString(), escalateDueAt: new Date('2026-11-27T08:55:00+08:00').toISOString() });
      const notice = (await night.tickets.notifications({ ticketId: talk.ticket!.id })).find((notification) => notification.recipient === 'staff-group:yiyaogang')!;
      expect(notice.text).toContain('负责人上班后 15 分钟内未接单将提醒并上报');
      // Asked when, in the night: the same promise, not minutes counted to her next shift.
      expect((await night.assistant.handle(message('什么时候能联系我', { channel: 'wecom', user: 'late-2' }))).answer).toBe(
        `已转达给社区工作者王芳（示例）（工单 #${talk.ticket!.id}）。现在不在工作时间，王芳（示例）上班后会尽快联系你；情况紧急请拨打 110 或 120。`,
      );
      nightClock.advance(9 * 3600_000); // Friday 08:00: the repair, with a worker on duty, is overdue; hers is not
      expect(await night.sla.tick()).toMatchObject({ reminded: [repair.ticket!.id], escalated: [repair.ticket!.id] });
      nightClock.advance(45 * 60_000); // 08:45
      expect((await night.sla.tick()).reminded).toEqual([talk.ticket!.id]);
    } finally {
      await night.cleanup();
    }
  });
});

describe('someone in danger at night', () => {
  it('has the round-the-clock urgent contact told at once when the one who has the ticket is off duty, and its clock runs now', async () => {
    // Beijing time Thursday 23:00: in 医药港 nobody with the mental-health skill is on duty, so the supervisor has it.
    const night = await testApp({}, { clock: new ManualClock(new Date('2026-11-26T23:00:00+08:00')) });
    try {
      const inPark = await night.assistant.handle(message('@小融 不想活了', { channel: 'wecom', user: 'night-1', group: '医药港员工交流群' }));
      expect(inPark.replies.at(-1)).toMatchObject({ direct: true, text: expect.stringContaining('已转给社区工作者王芳（示例），现在不在工作时间，已同时通知值班的社区工作者赵强（示例），会尽快联系你；情况紧急请拨打 110 或 120。') });
      const ticket = (await night.tickets.get(inPark.ticket!.id))!;
      expect(ticket).toMatchObject({ category: 'mental_health', assignee: 's-yiyaogang', acceptDueAt: new Date('2026-11-26T23:15:00+08:00').toISOString() });
      const urgent = (await night.tickets.notifications({ ticketId: ticket.id })).filter((notification) => notification.kind === 'urgent');
      expect(urgent).toEqual([
        expect.objectContaining({
          recipient: 'worker:w-by-01',
          text: `【紧急 · 心理关怀】工单 #${ticket.id}（医药港产业社区）night-1（企业微信群聊）：“@小融 不想活了”\n负责的王芳（示例）现在不在工作时间，小融已给出急救和求助电话。请尽快联系对方。`,
        }),
      ]);
      // Told once: someone already reported to the contact before naming the community is not reported again.
      await night.assistant.handle(message('我真的不想活了', { channel: 'wecom', user: 'night-2' }));
      const opened = await night.assistant.handle(message('医药港', { channel: 'wecom', user: 'night-2' }));
      expect(opened.answer).toContain('已同时通知值班的社区工作者赵强（示例）');
      expect((await night.tickets.notifications({ ticketId: opened.ticket!.id })).filter((notification) => notification.kind === 'urgent')).toEqual([]);
      expect(await night.sql.all("SELECT recipient FROM notifications WHERE kind = 'urgent'")).toHaveLength(2);
      // The staff group is told the clock runs now, not from the morning shift.
      const notice = (await night.tickets.notifications({ ticketId: ticket.id })).find((notification) => notification.recipient === 'staff-group:yiyaogang')!;
      expect(notice.text).toMatch(/ · {2}15 分钟内未接单将提醒并上报$/);
      // Asked when, the requester hears again that the one on call was told.
      expect((await night.assistant.handle(message('什么时候有人联系我', { channel: 'wecom', user: 'night-1' }))).answer).toBe(
        `已转达给社区工作者王芳（示例）（工单 #${ticket.id}）。现在不在工作时间，已同时通知值班的社区工作者赵强（示例），会尽快联系你；情况紧急请拨打 110 或 120。`,
      );
      // What the requester says next on that ticket reaches the urgent contact too, while its worker is off duty.
      await night.assistant.handle(message('@小融 还是觉得活着没意思', { channel: 'wecom', user: 'night-1', group: '医药港员工交流群' }));
      expect((await night.tickets.notifications({ ticketId: ticket.id })).filter((notification) => notification.kind === 'urgent').map((notification) => notification.text)).toEqual([
        expect.stringContaining('“@小融 不想活了”'),
        expect.stringContaining('“@小融 还是觉得活着没意思”'),
      ]);
    } finally {
      await night.cleanup();
    }
  });
});

describe('someone who may be in danger', () => {
  it('reaches the urgent contact at once while the community is asked for; with the community known, the ticket reaches its worker', async () => {
    const before = (await urgentAlerts()).length;
    const asked = await app.assistant.handle(wecom('我真的不想活了，电话13812345678', { user: 'xiaosun' }));
    expect(asked.answer).toMatch(/12356[\s\S]*请问你在哪个产业社区或园区/);
    const alerts = (await urgentAlerts()).slice(before);
    expect(alerts).toEqual([
      { recipient: 'worker:w-by-01', text: '【紧急 · 心理关怀】xiaosun（企业微信私聊）：“我真的不想活了，电话138****5678”\n对方还没说明在哪个产业社区，小融已给出急救和求助电话，正在询问所在社区。请尽快联系对方。' },
    ]);
    // In a park group the community is known: a ticket goes to its worker, and no one else is alerted.
    const inPark = await app.assistant.handle(wecom('@小融 不想活了', { user: 'xiaozhou', group: '医药港员工交流群' }));
    expect(inPark.ticket).toMatchObject({ category: 'mental_health', community: 'yiyaogang' });
    expect((await urgentAlerts()).length).toBe(before + 1);
  });
});

describe('a request that turns urgent while it is filled in', () => {
  it('alerts the urgent contact when the requester says they may harm themselves, and keeps their words for the worker', async () => {
    const before = (await urgentAlerts()).length;
    const user = 'turns-urgent';
    await app.assistant.handle(wecom('最近压力好大，想找心理老师聊聊', { user }));
    expect((await urgentAlerts()).length).toBe(before);
    const worse = await app.assistant.handle(wecom('说实话我真的不想活了', { user }));
    expect(worse.answer).toMatch(/12356/);
    const alerts = (await urgentAlerts()).slice(before);
    expect(alerts).toEqual([{ recipient: 'worker:w-by-01', text: expect.stringMatching(/^【紧急 · 心理关怀】turns-urgent（企业微信私聊）：“说实话我真的不想活了”\n对方还没说明在哪个产业社区/) }]);
    const placed = await app.assistant.handle(wecom('医药港', { user }));
    expect(await app.tickets.get(placed.ticket!.id)).toMatchObject({ category: 'mental_health', description: '最近压力好大，想找心理老师聊聊；说实话我真的不想活了' });
    expect((await urgentAlerts()).length).toBe(before + 1);
  });

  it('opens a request of its own for thoughts of self-harm said on a live repair, rather than a note for the repair worker', async () => {
    const user = 'repair-then-urgent';
    const repair = await app.assistant.handle(wecom('医药港宿舍的灯坏了，派人来修', { user }));
    expect(repair.ticket).toMatchObject({ category: 'repair', assignee: 'w-yyg-01' });
    const urgent = await app.assistant.handle(wecom('灯修不修无所谓了，我不想活了', { user }));
    expect(urgent).toMatchObject({ route: 'handoff', category: 'mental_health' });
    // Filed at once, where the repair is: someone in danger is not asked where they are.
    expect(urgent.answer).toMatch(/12356[\s\S]*已登记工单 #\d+（心理关怀 · 医药港产业社区）/);
    expect((await app.tickets.events(repair.ticket!.id)).map((event) => event.type)).not.toContain('requester-message');
  });

  it('takes a sensitive matter told on a live repair to a worker who does that, in private, and leaves where to come with the repair', async () => {
    const user = 'repair-then-low';
    const group = '医药港员工交流群';
    const repair = await app.assistant.handle(wecom('宿舍的灯坏了，派人来修', { user, group }));
    expect(repair.ticket).toMatchObject({ category: 'repair', community: 'yiyaogang' });
    const where = await app.assistant.handle(wecom('我在宿舍等着', { user, group }));
    expect(where.ticket?.id).toBe(repair.ticket!.id);
    // Praise sounds like mental health to the classifier (0.97), not surely so: it is for the worker.
    expect((await app.assistant.handle(wecom('师傅人很好', { user, group }))).ticket?.id).toBe(repair.ticket!.id);
    const low = await app.assistant.handle(wecom('最近心里堵得慌', { user, group }));
    expect(low).toMatchObject({ route: 'handoff', category: 'mental_health', ticket: { category: 'mental_health', community: 'yiyaogang' } });
    // The group hears only that someone will write; the rest is said one to one.
    expect(low.replies[0]).toMatchObject({ text: '收到，我私信联系你，帮你对接社区工作者。', mentions: [user] });
    expect(low.replies.slice(1).every((reply) => reply.direct)).toBe(true);
    expect((await app.tickets.events(repair.ticket!.id)).filter((event) => event.type === 'requester-message').map((event) => event.detail.text)).toEqual(['我在宿舍等着', '师傅人很好']);
    await app.assistant.handle(wecom('大创小镇宿舍的空调坏了，派人来修', { user: 'repair-then-unpaid' }));
    const unpaid = await app.assistant.handle(wecom('还有老板欠我两个月工资', { user: 'repair-then-unpaid' }));
    expect(unpaid.ticket).toMatchObject({ category: 'dispute', community: 'dachuang' });
    // On the dispute, how the requester feels is for the worker who already hears their troubles.
    const dispute = await app.assistant.handle(wecom('医药港的厂里拖欠工资三个月了，帮我找人调解', { user: 'dispute-then-low' }));
    expect(dispute.ticket).toMatchObject({ category: 'dispute' });
    expect((await app.assistant.handle(wecom('这事让我心里很烦', { user: 'dispute-then-low' }))).ticket?.id).toBe(dispute.ticket!.id);
  });

  it('takes a question about another matter on a live ticket as that matter, and passes on what is about each ticket to its worker', async () => {
    const user = 'repair-then-training';
    const repair = await app.assistant.handle(wecom('医药港宿舍没热水了，派人来修', { user }));
    expect(repair.ticket).toMatchObject({ category: 'repair', assignee: 'w-yyg-01' });
    const training = await app.assistant.handle(wecom('我还想问下培训怎么报名', { user }));
    expect(training).toMatchObject({ route: 'handoff', category: 'training', ticket: { category: 'training', community: 'yiyaogang' } });
    expect((await app.tickets.events(repair.ticket!.id)).map((event) => event.type)).not.toContain('requester-message');
    // Each worker hears what is about their ticket; the newest hears what is about neither.
    const hotWater = await app.assistant.handle(wecom('热水器修好了吗', { user }));
    expect(hotWater.ticket?.id).toBe(repair.ticket!.id);
    const when = await app.assistant.handle(wecom('什么时候能回复我', { user }));
    expect(when.ticket?.id).toBe(training.ticket!.id);
    expect((await app.tickets.events(repair.ticket!.id)).filter((event) => event.type === 'requester-message').map((event) => event.detail.text)).toEqual(['热水器修好了吗']);
  });
});

describe('staff talking about someone in danger', () => {
  it('are not given the advice meant for that person, in a staff group or with a command', async () => {
    const chatter = await app.assistant.handle(fromWorker('zhangmin', '刚才那个工人说不想活了，谁在附近？'));
    expect(chatter.replies).toEqual([]);
    const reply = await app.assistant.handle(fromWorker('zhangmin', '#9999 回复 已联系家属，他说过想自杀，今晚有人陪着', '医药港员工交流群'));
    expect(reply.answer).toMatch(/^没有找到工单 #9999/);
  });
});

describe('a requester asking after their requests', () => {
  it('lists their latest tickets with status and worker, and in a group sends the list to them alone', async () => {
    // Asking how to apply is a question about the service, not about one's requests.
    expect((await app.assistant.handle(wecom('怎么查报修电话', { user: 'xiaoqian-2' }))).answer).not.toMatch(/提交(过|的)工单/);
    const none = await app.assistant.handle(wecom('查一下我的工单', { user: 'xiaoqian' }));
    expect(none).toMatchObject({ route: 'handoff', ticket: null, answer: '你还没有提交过工单。需要人帮忙时回复"转人工"。' });
    await app.assistant.handle(wecom('宿舍空调坏了，派人来修', { user: 'xiaoqian', group: '医药港员工交流群' }));
    const dispute = await app.assistant.handle(wecom('老板拖欠工资，帮我找人调解，我在医药港', { user: 'xiaoqian' }));
    const disputeId = dispute.ticket!.id;
    const direct = await app.assistant.handle(wecom('我的报修进度怎么样了？', { user: 'xiaoqian' }));
    expect(direct.answer).toBe(
      `你最近提交的工单：\n#${disputeId} 矛盾调解 · 医药港产业社区 · 待接单，社区工作者李华（示例）负责\n#${disputeId - 1} 报修 · 医药港产业社区 · 待接单，社区工作者张敏（示例）负责\n有新的回复会第一时间转给你。`,
    );
    // Asking after a request is not news for its worker.
    expect((await notificationsOf(disputeId)).filter((notification) => notification.kind === 'requester-message')).toEqual([]);
    // In the group, nothing of a (private) dispute is said.
    const inGroup = await app.assistant.handle(wecom('@小融 查一下我的工单', { user: 'xiaoqian', group: '医药港员工交流群' }));
    expect(inGroup.replies.map((reply) => [reply.text.split('\n')[0], reply.direct ?? false])).toEqual([
      ['你的工单情况我私信发给你了。', false],
      ['你最近提交的工单：', true],
    ]);
    expect(inGroup.answer).toBe('你的工单情况我私信发给你了。');
    // With nothing live, no reply is promised.
    const cancelled = await app.assistant.handle(wecom('宿舍门锁坏了，我在医药港', { user: 'xiaoqian-3' }));
    await app.assistant.handle(wecom('取消', { user: 'xiaoqian-3' }));
    expect((await app.assistant.handle(wecom('我的工单', { user: 'xiaoqian-3' }))).answer).toBe(
      `你最近提交的工单：\n#${cancelled.ticket!.id} 报修 · 医药港产业社区 · 已撤销\n需要人帮忙时回复"转人工"。`,
    );
  });
});

describe('worker commands', () => {
  let id: number;
  beforeAll(async () => {
    id = (await app.assistant.handle(wecom('医药港宿舍空调坏了，派人修一下', { user: 'cmd-requester' }))).ticket!.id;
  });

  it('say what to type for a malformed command, an unknown ticket, or someone else\'s ticket', async () => {
    // The commands are spelt out with the ticket named, and asked for, or a command said without its ticket.
    expect((await app.assistant.handle(fromWorker('zhangmin', `#${id} 接单 好的`))).answer).toMatch(new RegExp(`^没看懂这条指令。可用指令：\n#${id} 接单\n#${id} 回复`));
    expect((await app.assistant.handle(fromWorker('zhangmin', `#${id}`))).answer).toMatch(new RegExp(`^没看懂这条指令。可用指令：\n#${id} 接单`));
    expect((await app.assistant.handle(fromWorker('zhangmin', '帮助'))).answer).toMatch(/^可用指令：\n#1024 接单/);
    expect((await app.assistant.handle(fromWorker('zhangmin', '接单'))).answer).toMatch(/^请在指令前带上工单号。可用指令：\n#1024 接单/);
    // Words after the number are most likely for the requester: the command that sends them is spelt out.
    expect((await app.assistant.handle(fromWorker('zhangmin', `#${id} 好的，马上去`))).answer).toBe(
      `这句话还没有发给对方。要回复对方，请发：\n#${id} 回复 好的，马上去\n接单发"#${id} 接单"，办好后发"#${id} 完成"。`,
    );
    expect((await app.tickets.events(id)).map((event) => event.type)).not.toContain('replied');
    expect((await app.assistant.handle(fromWorker('zhangmin', '#999999 接单'))).answer).toBe('没有找到工单 #999999，请核对编号。发"我的工单"可以查看你负责的工单。');
    expect((await app.assistant.handle(fromWorker('lihua', `#${id} 完成`))).answer).toMatch(new RegExp(`^工单 #${id} 由张敏（示例）负责，你不能操作`));
    expect((await app.assistant.handle(fromWorker('chengang', `#${id} 接单`, '大创小镇社工群'))).answer).toBe(`工单 #${id} 不属于你所在的社区，不能接单。`);
    expect((await app.assistant.handle(fromWorker('zhangmin', `#${id} 回复`))).answer).toMatch(/回复内容是空的/);
    expect((await app.assistant.handle(fromWorker('zhangmin', `#${id} 转 不存在的人`))).answer).toBe('没有找到工号或姓名为"不存在的人"的社区工作者，请核对后再发。');
  });

  it('understand a command typed from memory: without "#", with the action first, with a full stop', async () => {
    expect(['1024 接单', '接单 #1024', '接单 1024', '#1024 接单。'].map(parseWorkerCommand)).toEqual(Array(4).fill({ kind: 'accept', ticketId: 1024 }));
    expect(['完成 #1024！', '#1024 完成!'].map(parseWorkerCommand)).toEqual(Array(2).fill({ kind: 'resolve', ticketId: 1024 }));
    // Said as done: "已完成", "完成了".
    expect(['#1024 已完成', '#1024 完成了', '1024 已经办结了。'].map(parseWorkerCommand)).toEqual(Array(3).fill({ kind: 'resolve', ticketId: 1024 }));
    expect(['#1024 已接单', '#1024 接单啦', '#1024 接了', '1024 已接。'].map(parseWorkerCommand)).toEqual(Array(4).fill({ kind: 'accept', ticketId: 1024 }));
    // "接" alone says it is taken; more after it is something else, meant for the requester.
    expect(parseWorkerCommand('#1024 接待一下')).toBe('malformed');
    expect(wordsForTicket('#1024 接待一下')).toEqual({ ticketId: 1024, text: '接待一下' });
    expect(parseWorkerCommand('#1024 回复 已完成了')).toEqual({ kind: 'reply', ticketId: 1024, text: '已完成了' });
    expect(parseWorkerCommand('1024 回复 明天到')).toEqual({ kind: 'reply', ticketId: 1024, text: '明天到' });
    // Ordinary talk stays ordinary; a short number without "#" is not a ticket.
    expect(['2024年的政策', '接单了吗', '12 接单'].map(parseWorkerCommand)).toEqual([undefined, undefined, undefined]);
    expect(parseWorkerCommand('#1024 接单 好的')).toBe('malformed');
    // And it does what it says.
    const ticket = (await app.assistant.handle(wecom('医药港宿舍的门坏了，派人修一下', { user: 'from-memory' }))).ticket!;
    expect((await app.assistant.handle(fromWorker('zhangmin', `接单 #${ticket.id}`))).answer).toMatch(new RegExp(`^已接单 #${ticket.id}`));
  });

  it('list my tickets, and transfer by name', async () => {
    expect((await app.assistant.handle(fromWorker('zhangmin', '我的工单'))).answer).toContain(`#${id} 报修 · 待接单`);
    // Asked in words, in a direct chat, it is the same list.
    expect((await app.assistant.handle(wecom('帮我查一下我的工单', { user: 'zhangmin' }))).answer).toContain(`#${id} 报修 · 待接单`);
    const moved = await app.assistant.handle(fromWorker('zhangmin', `#${id} 转 李华`));
    expect(moved.answer).toBe(`工单 #${id} 已转给李华（示例）。`);
    expect((await app.tickets.get(id))!).toMatchObject({ assignee: 'w-yyg-02', status: 'assigned' });
    expect((await notificationsOf(id)).at(-1)).toMatchObject({ recipient: 'worker:w-yyg-02', kind: 'transferred' });
  });

  it('lets exactly one of two workers accepting at once win', async () => {
    const ticket = (await app.assistant.handle(wecom('医药港宿舍的灯不亮了，派人看看', { user: 'race' }))).ticket!;
    const results = await Promise.all([app.desk.accept(ticket.id, 'w-yyg-01'), app.desk.accept(ticket.id, 'w-yyg-02'), app.desk.accept(ticket.id, 's-yiyaogang')]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).every((result) => /已由.*接单/.test(result.message))).toBe(true);
    expect((await app.tickets.events(ticket.id)).filter((event) => event.type === 'accepted')).toHaveLength(1);
  });
});

// Last in the file: the ticket it opens changes no one else's ticket numbers or turns.
describe('a question announced while the community is asked for', () => {
  it('is invited, and not added to the request as what is wrong', async () => {
    const user = 'announces-meanwhile';
    await app.assistant.handle(wecom('宿舍门锁坏了', { user }));
    const announced = await app.assistant.handle(wecom('我想问下', { user }));
    expect(announced).toMatchObject({ route: 'greeting', ticket: null });
    expect(announced.answer).toMatch(/^请说，你想了解什么？[^]*\n另外，登记报修还需要知道你在哪个产业社区或园区/);
    const filed = (await app.assistant.handle(wecom('医药港', { user }))).ticket!;
    expect(await app.tickets.get(filed.id)).toMatchObject({ category: 'repair', community: 'yiyaogang', description: '宿舍门锁坏了' });
  });
});
