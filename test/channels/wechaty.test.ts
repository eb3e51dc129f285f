import { FileBox } from 'file-box';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels, startChannels, type Channels } from '../../src/channels/setup.ts';
import { testApp, waitFor } from '../helpers.ts';

type Seen = { where: string; text: string };

/** The mock's users and rooms are event emitters of the messages they see. */
const onMessage = (target: unknown, listener: (message: mock.MessageMock) => void) =>
  (target as { on(event: 'message', listener: (message: mock.MessageMock) => void): void }).on('message', listener);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WeChat groups through wechaty (wechaty-puppet-mock)', () => {
  let app: Awaited<ReturnType<typeof testApp>>;
  let channels: Channels;
  const mocker = new mock.Mocker();
  const seen: Seen[] = [];
  let bot: mock.ContactMock;
  let alice: mock.ContactMock;
  let bob: mock.ContactMock;
  let zhangmin: mock.ContactMock;
  let park: mock.RoomMock;
  let staff: mock.RoomMock;
  const botSaid = (where: string, pattern: RegExp) => seen.find((entry) => entry.where === where && pattern.test(entry.text));

  beforeAll(async () => {
    app = await testApp({ RATE_LIMIT_PER_SENDER: '50' });
    channels = createChannels(app, { wechatyPuppet: new PuppetMock({ mocker }) });
    await startChannels(channels, app);
    bot = mocker.createContact({ name: '小融' });
    mocker.login(bot);
    alice = mocker.createContact({ name: '小王' });
    bob = mocker.createContact({ name: '小赵' });
    zhangmin = mocker.createContact({ id: 'wxid_zhangmin', name: '张敏' });
    park = mocker.createRoom({ topic: '医药港员工交流群', memberIdList: [bot.id, alice.id, bob.id, zhangmin.id] });
    staff = mocker.createRoom({ topic: '医药港社工群', memberIdList: [bot.id, zhangmin.id] });
    const record = (where: string) => (message: mock.MessageMock) => {
      if (message.talker().id === bot.id) seen.push({ where, text: message.text() ?? '' });
    };
    for (const [where, target] of [['park', park], ['staff', staff], ['alice', alice], ['bob', bob], ['zhangmin', zhangmin]] as const) onMessage(target, record(where));
    await waitFor(() => channels.wechaty?.loggedIn);
  });
  afterAll(async () => {
    await channels.hub.stop();
    await app.cleanup();
  });

  it('answers an @question in a group with a cited answer @ the sender', async () => {
    alice.say('@小融 邻里中心一共能提供多少间房？', [bot]).to(park);
    const answer = await waitFor(() => botSaid('park', /14108/));
    expect(answer.text).toMatch(/^@小王 /);
    expect(answer.text).toMatch(/来源：\[1\]《/);
  });

  it('stays silent in a group without an @ or the prefix, and answers the prefix', async () => {
    const before = seen.length;
    alice.say('邻里中心在哪些地方').to(park);
    await pause(600);
    expect(seen.length).toBe(before);
    alice.say('小融，生物医药企业有专门的服务驿站吗').to(park);
    await waitFor(() => botSaid('park', /生物医药产业服务驿站/));
  });

  it('answers every direct message', async () => {
    alice.say('你好').to(bot);
    await waitFor(() => botSaid('alice', /我是小融/));
  });

  it('tells someone who sends a voice note directly to type, and lets a picture in a group be', async () => {
    const voice = FileBox.fromBase64(Buffer.from('#!SILK_V3').toString('base64'), 'voice.sil');
    bob.say(voice).to(bot);
    await waitFor(() => botSaid('bob', /^小融暂时听不了语音，请打字告诉我需要什么/));
    const before = seen.length;
    bob.say(FileBox.fromBase64(Buffer.from('not really a png').toString('base64'), 'photo.png')).to(park);
    await pause(600);
    expect(seen.length).toBe(before);
  });

  it('turns a request into a ticket, notifies the staff group, and relays the worker\'s reply back @ the requester', async () => {
    alice.say('@小融 宿舍热水器坏了好几天了，麻烦派人来修', [bot]).to(park);
    const created = await waitFor(() => botSaid('park', /已登记工单 #(\d+)/));
    const id = /#(\d+)/.exec(created.text)![1];
    expect(created.text).toContain('医药港产业社区');
    const notice = await waitFor(() => botSaid('staff', new RegExp(`【新工单 #${id}】报修`)));
    expect(notice.text).toContain('来自 小王');
    await waitFor(() => botSaid('zhangmin', new RegExp(`【新工单 #${id}】`))); // and to 张敏 directly

    zhangmin.say(`#${id} 回复 已联系物业，明天上午 9 点上门维修`).to(staff);
    const relayed = await waitFor(() => botSaid('park', new RegExp(`【社区工作者 张敏（示例） · 工单 #${id}】已联系物业`)));
    expect(relayed.text).toMatch(/^@小王 /);
    await waitFor(() => botSaid('staff', new RegExp(`已发送给 .*工单 #${id}`)));
    // A command word said among colleagues, with no ticket and no @, is talk: the bot stays out of it.
    const before = seen.length;
    zhangmin.say('完成').to(staff);
    await pause(600);
    expect(seen.length).toBe(before);
  });

  it('continues a sensitive topic in a direct chat and says nothing personal in the group', async () => {
    bob.say('@小融 老板拖了我两个月工资，心里很烦', [bot]).to(park);
    const line = await waitFor(() => botSaid('park', /私信联系你/));
    expect(line.text).toBe('@小赵 收到，我私信联系你，帮你对接社区工作者。');
    const direct = await waitFor(() => botSaid('bob', /单独聊/));
    expect(direct.text).toMatch(/矛盾调解/);
    expect(seen.filter((entry) => entry.where === 'park').some((entry) => /工资/.test(entry.text))).toBe(false);
  });

  it('ignores its own messages, and slows a flood down with one friendly line', async () => {
    const flooding = await testApp({ RATE_LIMIT_PER_SENDER: '2' });
    const floodMocker = new mock.Mocker();
    const floodChannels = createChannels(flooding, { wechatyPuppet: new PuppetMock({ mocker: floodMocker }) });
    await startChannels(floodChannels, flooding);
    const me = floodMocker.createContact({ name: '小融' });
    floodMocker.login(me);
    const spammer = floodMocker.createContact({ name: '小刷' });
    const replies: string[] = [];
    onMessage(spammer, (message) => {
      if (message.talker().id === me.id) replies.push(message.text() ?? '');
    });
    await waitFor(() => floodChannels.wechaty?.loggedIn);
    for (let i = 0; i < 6; i++) spammer.say(`你好${i}`).to(me);
    await waitFor(() => replies.includes('你发得有点快，请稍等一分钟再问我。') || undefined);
    await pause(600);
    expect(replies.filter((text) => text === '你发得有点快，请稍等一分钟再问我。')).toHaveLength(1);
    expect(replies.filter((text) => /我是小融/.test(text))).toHaveLength(2);
    await floodChannels.hub.stop();
    await flooding.cleanup();
  });
});
