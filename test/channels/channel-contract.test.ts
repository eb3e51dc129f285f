import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import express from 'express';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryStore } from '../../src/assistant/memory.ts';
import type { InboundMessage, Reply } from '../../src/assistant/types.ts';
import { Unreachable, type Channel, type OutboundAddress } from '../../src/channels/channel.ts';
import { WechatyChannel } from '../../src/channels/wechaty/wechaty-channel.ts';
import { WeComAiBotChannel } from '../../src/channels/wecom/aibot-channel.ts';
import { WeComApiClient } from '../../src/channels/wecom/api-client.ts';
import { WeComAppChannel } from '../../src/channels/wecom/app-channel.ts';
import { WeComCrypto } from '../../src/channels/wecom/crypto.ts';
import { WeComWebhookChannel } from '../../src/channels/wecom/webhook-channel.ts';
import { systemClock } from '../../src/clock.ts';
import { addressBookOf, readRoster, Roster } from '../../src/handoff/roster.ts';
import { FakeWeComServer } from '../fakes/wecom-server.ts';
import { silentLogger, waitFor } from '../helpers.ts';

/** What a test needs to drive one channel as its platform would. */
type Harness = {
  channel: Channel;
  inbound: InboundMessage[];
  /** Makes the platform deliver a message to the bot; undefined for send-only channels. */
  deliver?: (kind: 'direct' | 'group', text: string) => Promise<void>;
  /** A group and a person the channel can address after `deliver` (or always, for send-only ones). */
  group?: OutboundAddress & { kind: 'group' };
  person?: OutboundAddress & { kind: 'direct' };
  /** Texts the platform received from the bot. */
  delivered: () => Promise<string[]>;
  close: () => Promise<void>;
};


async function listen(router: express.Router): Promise<{ base: string; server: Server }> {
  const server = express().use(router).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function signedQuery(token: string, encrypt: string): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  return `msg_signature=${getSignature(token, timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}`;
}

const AES = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';

const harnesses: Record<string, () => Promise<Harness>> = {
  async wechaty() {
    const mocker = new mock.Mocker();
    const channel = new WechatyChannel({ puppet: new PuppetMock({ mocker }), logger: silentLogger });
    const inbound: InboundMessage[] = [];
    await channel.start(async (message) => void inbound.push(message));
    const bot = mocker.createContact({ name: '小融' });
    mocker.login(bot);
    const person = mocker.createContact({ name: '小王' });
    const room = mocker.createRoom({ topic: '医药港员工交流群', memberIdList: [bot.id, person.id] });
    const seen: string[] = [];
    for (const target of [person, room] as unknown[]) {
      (target as { on(event: 'message', listener: (message: mock.MessageMock) => void): void }).on('message', (message) => {
        if (message.talker().id === bot.id) seen.push(message.text() ?? '');
      });
    }
    await waitFor(() => channel.loggedIn);
    return {
      channel,
      inbound,
      deliver: async (kind, text) => {
        if (kind === 'direct') person.say(text).to(bot);
        else person.say(`@小融 ${text}`, [bot]).to(room);
      },
      group: { kind: 'group', conversationId: room.id, mentions: [person.id] },
      person: { kind: 'direct', userId: person.id },
      delivered: async () => seen,
      close: () => channel.stop(),
    };
  },

  async 'wecom-app'() {
    const wecom = await new FakeWeComServer('wwcontract', 'secret').start();
    const channel = new WeComAppChannel({
      crypto: new WeComCrypto('app-token', AES, 'wwcontract'),
      api: new WeComApiClient({ baseUrl: wecom.baseUrl, corpId: 'wwcontract', secret: 'secret', clock: systemClock }),
      agentId: '1000002',
      store: new InMemoryStore(systemClock),
      clock: systemClock,
      logger: silentLogger,
    });
    const inbound: InboundMessage[] = [];
    await channel.start(async (message) => void inbound.push(message));
    const { base, server } = await listen(channel.router());
    let counter = 0;
    return {
      channel,
      inbound,
      deliver: async (kind, text) => {
        if (kind === 'group') return; // a self-built app never receives group messages
        const inner = `<xml><FromUserName><![CDATA[xiaoli]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content><MsgId>${++counter}</MsgId></xml>`;
        const encrypt = wecomEncrypt(AES, inner, 'wwcontract');
        await fetch(`${base}/wecom/app?${signedQuery('app-token', encrypt)}`, { method: 'POST', body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` });
      },
      person: { kind: 'direct', userId: 'xiaoli' },
      delivered: async () => wecom.requestsTo('/cgi-bin/message/send').map((request) => request.body.text.content),
      close: async () => {
        server.close();
        await wecom.stop();
      },
    };
  },

  async 'wecom-aibot'() {
    const wecom = await new FakeWeComServer().start();
    const channel = new WeComAiBotChannel({ crypto: new WeComCrypto('bot-token', AES, ''), store: new InMemoryStore(systemClock), clock: systemClock, logger: silentLogger, firstReplyWaitMs: 50 });
    const inbound: InboundMessage[] = [];
    channel.setHandler(async (message) => {
      inbound.push(message);
      return undefined;
    });
    await channel.start();
    const { base, server } = await listen(channel.router());
    let counter = 0;
    return {
      channel,
      inbound,
      deliver: async (kind, text) => {
        const id = `c-${++counter}`;
        const body = { msgid: id, chatid: 'chat-1', chattype: kind === 'group' ? 'group' : 'single', from: { userid: 'xiaowang' }, response_url: `${wecom.baseUrl}/response/${id}`, msgtype: 'text', text: { content: kind === 'group' ? `@小融 ${text}` : text } };
        const encrypt = wecomEncrypt(AES, JSON.stringify(body), '');
        await fetch(`${base}/wecom/aibot?${signedQuery('bot-token', encrypt)}`, { method: 'POST', body: JSON.stringify({ encrypt }) });
      },
      group: { kind: 'group', conversationId: 'chat-1', mentions: ['xiaowang'] },
      person: { kind: 'direct', userId: 'xiaowang' },
      delivered: async () => wecom.requests.filter((request) => request.path.startsWith('/response/')).map((request) => request.body.markdown.content),
      close: async () => {
        server.close();
        await wecom.stop();
      },
    };
  },

  async 'wecom-webhook'() {
    const wecom = await new FakeWeComServer().start();
    const base = await readRoster('config/roster.example.yaml', 'config/rooms.example.yaml');
    const roster = new Roster({ ...base.data, communities: base.data.communities.map((community) => ({ ...community, webhook: `${wecom.baseUrl}/cgi-bin/webhook/send?key=${community.id}` })) }, base.rooms);
    const channel = new WeComWebhookChannel({ roster: () => roster, clock: systemClock, logger: silentLogger });
    await channel.start();
    return {
      channel,
      inbound: [],
      group: { kind: 'group', conversationId: 'yiyaogang', mentions: ['zhangmin'] },
      delivered: async () => wecom.requestsTo('/cgi-bin/webhook/send').map((request) => request.body.markdown.content),
      close: async () => {
        await channel.stop();
        await wecom.stop();
      },
    };
  },
};

const longReply: Reply = {
  text: Array.from({ length: 60 }, (_, i) => `第${i + 1}条：工业邻里中心合计可提供14108间房源。`).join(''),
  citations: [{ n: 1, title: '工业邻里中心', source: 'neighbourhood-centres.md', section: '房源', excerpt: '合计可提供14108间房源' }],
};

for (const [name, create] of Object.entries(harnesses)) {
  describe(`Channel contract: ${name}`, () => {
    let harness: Harness;
    beforeAll(async () => {
      harness = await create();
    });
    afterAll(() => harness.close());

    it('names itself and the address book its people are known by', () => {
      expect(harness.channel.name).toBe(name);
      expect(harness.channel.addressBook).toBe(addressBookOf(name));
      expect(harness.channel.maxMessageLength).toBeGreaterThanOrEqual(200);
    });

    it('turns platform messages into InboundMessages, with the @name stripped', async () => {
      if (!harness.deliver) return expect(harness.inbound).toEqual([]);
      await harness.deliver('direct', '  邻里中心有多少房源  ');
      const direct = await waitFor(() => harness.inbound.find((message) => message.conversation.kind === 'direct'));
      expect(direct).toMatchObject({ channel: name, text: '邻里中心有多少房源', mentionsBot: true, conversation: { kind: 'direct' } });
      expect(direct.id).toBeTruthy();
      expect(direct.sender.id).toBeTruthy();
      expect(direct.at).toBeInstanceOf(Date);
      await harness.deliver('group', '医药港是哪类社区');
      if (name === 'wecom-app') return; // no group messages reach a self-built app
      const group = await waitFor(() => harness.inbound.find((message) => message.conversation.kind === 'group'));
      expect(group).toMatchObject({ text: '医药港是哪类社区', mentionsBot: true });
    });

    it('sends to a person, or says it cannot', async () => {
      const before = (await harness.delivered()).length;
      if (!harness.person) {
        await expect(harness.channel.send({ kind: 'direct', userId: 'someone' }, { text: '你好' })).rejects.toBeInstanceOf(Unreachable);
        return;
      }
      if (name === 'wecom-aibot') await harness.deliver!('direct', '你好'); // the chat's response_url
      const fresh = (await harness.delivered()).length;
      await harness.channel.send(harness.person, { text: '工单 #1001 已办结。' });
      const texts = await waitForDelivered(harness, Math.max(before, fresh));
      expect(texts.join('\n')).toContain('工单 #1001 已办结。');
    });

    it('sends to a group with the people @ed, or says it cannot', async () => {
      if (!harness.group) {
        await expect(harness.channel.send({ kind: 'group', conversationId: 'room-x' }, { text: '通知' })).rejects.toBeInstanceOf(Unreachable);
        return;
      }
      if (name === 'wecom-aibot') await harness.deliver!('group', '还有问题'); // a fresh response_url for the chat
      const before = (await harness.delivered()).length;
      await harness.channel.send(harness.group, { text: '【新工单 #1002】报修' });
      const texts = await waitForDelivered(harness, before);
      expect(texts.join('\n')).toContain('【新工单 #1002】报修');
    });

    it('delivers a long reply whole, within its size limit, with the citations last', async () => {
      const to = harness.person ?? harness.group!;
      if (name === 'wecom-aibot') await harness.deliver!(to.kind, '再问一个');
      const before = (await harness.delivered()).length;
      await harness.channel.send(to, longReply);
      const texts = await waitForDelivered(harness, before);
      const joined = texts.join('');
      for (let i = 1; i <= 60; i++) expect(joined).toContain(`第${i}条：`);
      expect(texts.at(-1)).toMatch(/来源：\[1\]《工业邻里中心》 · 房源$/);
      for (const text of texts) expect(text.length).toBeLessThanOrEqual(harness.channel.maxMessageLength + 40);
    });
  });
}

async function waitForDelivered(harness: Harness, before: number): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const texts = (await harness.delivered()).slice(before);
    if (texts.length) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the rest of a split reply arrive
      return (await harness.delivered()).slice(before);
    }
    if (Date.now() > deadline) throw new Error('nothing delivered');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
