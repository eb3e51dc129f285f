import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WECOM_SAMPLE } from '../fixtures/wecom-sample.ts';
import { createChannels, startChannels, type Channels } from '../../src/channels/setup.ts';
import { WeComApiClient } from '../../src/channels/wecom/api-client.ts';
import { ManualClock, systemClock } from '../../src/clock.ts';
import { createHttpApp } from '../../src/http/server.ts';
import { FakeWeComServer } from '../fakes/wecom-server.ts';
import { scalar, testApp, waitFor } from '../helpers.ts';

const SAMPLE = WECOM_SAMPLE;
const BOT = { token: 'aibot-token', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };


describe('WeCom channels over HTTP', () => {
  let wecom: FakeWeComServer;
  let app: Awaited<ReturnType<typeof testApp>>;
  let channels: Channels;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    wecom = await new FakeWeComServer(SAMPLE.corpId, 'app-secret').start();
    app = await testApp({
      WECOM_CORP_ID: SAMPLE.corpId,
      WECOM_APP_TOKEN: SAMPLE.token,
      WECOM_APP_AES_KEY: SAMPLE.aesKey,
      WECOM_AGENT_ID: '1000002',
      WECOM_APP_SECRET: 'app-secret',
      WECOM_BOT_TOKEN: BOT.token,
      WECOM_BOT_AES_KEY: BOT.aesKey,
      WECOM_API_BASE: wecom.baseUrl,
    });
    channels = createChannels(app, { firstReplyWaitMs: 3000 });
    await startChannels(channels, app);
    server = createHttpApp(app, { routers: channels.routers }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await channels.hub.stop();
    await app.cleanup();
    await wecom.stop();
  });

  /** An encrypted callback as WeCom sends it. */
  function signed(plain: string, receiveId: string, token: string, aesKey: string) {
    const encrypt = wecomEncrypt(aesKey, plain, receiveId);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    return { encrypt, query: `msg_signature=${getSignature(token, timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}` };
  }

  describe('self-built app', () => {
    const appXml = (content: string, msgId: string, from = 'xiaoli') =>
      `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
    const post = async (inner: string, tamper = false) => {
      const { encrypt, query } = signed(inner, SAMPLE.corpId, SAMPLE.token, SAMPLE.aesKey);
      const body = `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
      return fetch(`${base}/wecom/app?${tamper ? query.replace(/msg_signature=(.)/, (_, first: string) => `msg_signature=${first === '0' ? '1' : '0'}`) : query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    };

    it('answers URL verification with WeCom\'s published sample, URL-encoded or with a raw +', async () => {
      const encoded = await fetch(`${base}/wecom/app?msg_signature=${SAMPLE.signature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(SAMPLE.echostr)}`);
      expect(encoded.status).toBe(200);
      expect(await encoded.text()).toBe('1288432023552776189');
      const raw = await fetch(`${base}/wecom/app?msg_signature=${SAMPLE.signature}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${SAMPLE.echostr}`);
      expect(await raw.text()).toBe('1288432023552776189');
      const forged = await fetch(`${base}/wecom/app?msg_signature=${'0'.repeat(40)}&timestamp=${SAMPLE.timestamp}&nonce=${SAMPLE.nonce}&echostr=${encodeURIComponent(SAMPLE.echostr)}`);
      expect(forged.status).toBe(401);
    });

    it('acknowledges at once with an empty 200, answers through message/send, and answers a retried callback once', async () => {
      const inner = appXml('生物医药企业有专门的服务驿站吗', 'msg-1001');
      const started = Date.now();
      const response = await post(inner);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
      expect(Date.now() - started).toBeLessThan(1000);
      const sent = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send')[0]);
      expect(sent.body).toMatchObject({ touser: 'xiaoli', msgtype: 'text', agentid: 1000002 });
      expect(sent.body.text.content).toContain('生物医药产业服务驿站');
      expect(sent.body.text.content).toContain('来源：[1]');
      await post(inner); // WeCom's retry of the same MsgId
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(wecom.requestsTo('/cgi-bin/message/send')).toHaveLength(1);
    });

    it('refuses a forged callback with 401 and changes nothing', async () => {
      const before = wecom.requests.length;
      const questions = await scalar(app, 'SELECT COUNT(*) FROM question_log');
      const response = await post(appXml('你好', 'msg-forged'), true);
      expect(response.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(wecom.requests.length).toBe(before);
      expect(await scalar(app, 'SELECT COUNT(*) FROM question_log')).toBe(questions);
      const garbage = await fetch(`${base}/wecom/app?msg_signature=x&timestamp=1&nonce=1`, { method: 'POST', body: '<xml><oops' });
      expect(garbage.status).toBe(400);
    });

    it('tells someone who sends a voice note or a picture to type, and ignores a location', async () => {
      const voice = `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><FromUserName><![CDATA[xiaowu]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>msg-voice</MsgId><AgentID>1000002</AgentID></xml>`;
      expect((await post(voice)).status).toBe(200);
      const told = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.touser === 'xiaowu'));
      expect(told.body.text.content).toBe('小融暂时听不了语音，请打字告诉我需要什么。需要人帮忙时回复"转人工"，社区工作者会联系你。');
      const location = voice.replace('<MsgType><![CDATA[voice]]></MsgType>', '<MsgType><![CDATA[location]]></MsgType>').replace('msg-voice', 'msg-location');
      expect((await post(location)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(wecom.requestsTo('/cgi-bin/message/send').filter((request) => request.body.touser === 'xiaowu')).toHaveLength(1);
    });

    it('gives someone in danger the numbers to call, and alerts the urgent contact through the app at once', async () => {
      await post(appXml('我真的不想活了', 'msg-urgent', 'xiaodeng'));
      const told = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.touser === 'xiaodeng'));
      expect(told.body.text.content).toMatch(/^你的安全最要紧。[\s\S]*12356[\s\S]*请问你在哪个产业社区或园区/);
      const alert = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.touser === 'zhaoqiang'));
      expect(alert.body.text.content).toMatch(/^【紧急 · 心理关怀】xiaodeng（企业微信私聊）：“我真的不想活了”/);
    });

    it('lets a worker accept a ticket in a direct chat, and notifies workers through the app', async () => {
      const opened = await app.assistant.handle({ id: 'req-1', channel: 'cli', at: new Date(), conversation: { id: 'c', kind: 'direct' }, sender: { id: 'req', name: '小李' }, text: '医药港宿舍门锁坏了，派人修', mentionsBot: true });
      const id = opened.ticket!.id;
      const notice = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.text.content.includes(`【新工单 #${id}】`)));
      expect(notice.body.touser).toBe('zhangmin');
      await post(appXml(`#${id} 接单`, 'msg-accept', 'zhangmin'));
      const confirmed = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.text.content.startsWith(`已接单 #${id}`)));
      expect(confirmed.body.touser).toBe('zhangmin');
      expect((await app.tickets.get(id))!.status).toBe('accepted');
    });
  });

  describe('access token', () => {
    it('is fetched once for concurrent sends, cached, and refreshed when WeCom says it is invalid', async () => {
      const fake = await new FakeWeComServer('wwtoken', 's').start();
      fake.tokenDelayMs = 100;
      const clock = new ManualClock();
      const api = new WeComApiClient({ baseUrl: fake.baseUrl, corpId: 'wwtoken', secret: 's', clock });
      await Promise.all(Array.from({ length: 10 }, (_, i) => api.sendText('1', [`u${i}`], '通知')));
      expect(fake.requestsTo('/cgi-bin/gettoken')).toHaveLength(1);
      expect(fake.requestsTo('/cgi-bin/message/send')).toHaveLength(10);
      await api.sendText('1', ['u'], '再发一条');
      expect(fake.requestsTo('/cgi-bin/gettoken')).toHaveLength(1);
      fake.expireTokens();
      await api.sendText('1', ['u'], 'token 失效后');
      expect(fake.requestsTo('/cgi-bin/gettoken')).toHaveLength(2);
      clock.advance(7200 * 1000);
      await api.sendText('1', ['u'], '过期后');
      expect(fake.requestsTo('/cgi-bin/gettoken')).toHaveLength(3);
      const wrong = new WeComApiClient({ baseUrl: fake.baseUrl, corpId: 'wwtoken', secret: 'wrong', clock: systemClock });
      await expect(wrong.sendText('1', ['u'], 'x')).rejects.toThrow(/gettoken failed: 40001.*WECOM_APP_SECRET/);
      await fake.stop();
    });
  });

  describe('AI bot', () => {
    const callback = (body: object) => {
      const { encrypt, query } = signed(JSON.stringify(body), '', BOT.token, BOT.aesKey);
      return { encrypt, query };
    };
    const post = async (body: object) => {
      const { encrypt, query } = callback(body);
      const response = await fetch(`${base}/wecom/aibot?${query}`, { method: 'POST', body: JSON.stringify({ encrypt }), headers: { 'content-type': 'application/json' } });
      return { status: response.status, reply: response.status === 200 ? await response.json() : undefined };
    };
    const open = (reply: any) => {
      expect(reply.msgsignature).toBe(getSignature(BOT.token, String(reply.timestamp), String(reply.nonce), reply.encrypt));
      const { message, id } = wecomDecrypt(BOT.aesKey, reply.encrypt);
      expect(id).toBe('');
      return JSON.parse(message);
    };
    const text = (msgid: string, content: string, chattype: 'group' | 'single' = 'group') => ({
      msgid, aibotid: 'AIBOT', chatid: 'wrkSFfCgAAx', chattype, from: { userid: 'xiaowang' }, response_url: `${wecom.baseUrl}/response/${msgid}`, msgtype: 'text', text: { content },
    });

    it('verifies the callback URL with an empty receive id', async () => {
      const { encrypt, query } = callback({} as object);
      void encrypt;
      const echo = wecomEncrypt(BOT.aesKey, 'echo-123', '');
      const timestamp = '1700000000';
      const nonce = '42';
      const response = await fetch(`${base}/wecom/aibot?msg_signature=${getSignature(BOT.token, timestamp, nonce, echo)}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echo)}`);
      expect(await response.text()).toBe('echo-123');
      expect(query).toContain('msg_signature=');
    });

    it('streams a cited answer to a group @mention, finished, and answers a retried msgid from the same stream', async () => {
      const first = await post(text('aibot-1', '@小融 邻里中心一共能提供多少间房？'));
      const stream = open(first.reply);
      expect(stream).toMatchObject({ msgtype: 'stream', stream: { finish: true } });
      expect(stream.stream.content).toContain('14108');
      expect(stream.stream.content).toContain('来源：[1]');
      const retried = open((await post(text('aibot-1', '@小融 邻里中心一共能提供多少间房？'))).reply);
      expect(retried.stream.id).toBe(stream.stream.id);
      expect(await scalar(app, "SELECT COUNT(*) FROM question_log WHERE question LIKE '%邻里中心一共能提供多少间房%'")).toBe(1);
    });

    it('answers refresh callbacks from the stream\'s current state', async () => {
      const first = open((await post(text('aibot-2', '@小融 生物医药企业有专门的服务驿站吗'))).reply);
      const refreshed = open((await post({ msgid: 'refresh-1', aibotid: 'AIBOT', chatid: 'wrkSFfCgAAx', chattype: 'group', from: { userid: 'xiaowang' }, msgtype: 'stream', stream: { id: first.stream.id } })).reply);
      expect(refreshed.stream).toEqual(first.stream);
    });

    it('reads mixed and quote messages', async () => {
      const mixed = open((await post({ ...text('aibot-3', ''), msgtype: 'mixed', mixed: { msg_item: [{ msgtype: 'text', text: { content: '@小融 社企共建基金有管理办法吗' } }, { msgtype: 'image', image: { url: 'x' } }] } })).reply);
      expect(mixed.stream.content).toContain('社企共建基金运行管理办法');
      const quoted = open((await post({ ...text('aibot-4', '@小融 这个呢'), quote: { msgtype: 'text', text: { content: '大创小镇属于哪种产业社区' } } })).reply);
      expect(quoted.stream.content).toContain('功能型');
    });

    it('answers the words of a voice message, and asks for text when sent a picture', async () => {
      const spoken = open((await post({ ...text('aibot-voice', '', 'single'), msgtype: 'voice', voice: { content: '邻里中心一共能提供多少间房' } })).reply);
      expect(spoken.stream.content).toContain('14108');
      const picture = open((await post({ ...text('aibot-image', '', 'single'), msgtype: 'image', image: { url: `${wecom.baseUrl}/image` } })).reply);
      expect(picture.stream.content).toBe('小融暂时看不了图片、视频和文件，请打字告诉我需要什么。需要人帮忙时回复"转人工"，社区工作者会联系你。');
    });

    it('refuses a forged callback and a foreign receive id with 401', async () => {
      const { encrypt, query } = callback(text('aibot-forged', '你好'));
      const forged = await fetch(`${base}/wecom/aibot?${query.replace(/msg_signature=[0-9a-f]/, 'msg_signature=z')}`, { method: 'POST', body: JSON.stringify({ encrypt }) });
      expect(forged.status).toBe(401);
      const foreign = wecomEncrypt(BOT.aesKey, JSON.stringify(text('aibot-foreign', '你好')), 'wwsomeoneelse');
      const timestamp = '1700000001';
      const nonce = '7';
      const refused = await fetch(`${base}/wecom/aibot?msg_signature=${getSignature(BOT.token, timestamp, nonce, foreign)}&timestamp=${timestamp}&nonce=${nonce}`, { method: 'POST', body: JSON.stringify({ encrypt: foreign }) });
      expect(refused.status).toBe(401);
      expect(await scalar(app, "SELECT COUNT(*) FROM question_log WHERE text = '你好' AND channel = 'wecom-aibot'")).toBe(0);
    });

    it('relays later messages into the group through its response_url once, then to the requester directly', async () => {
      const opened = open((await post(text('aibot-5', '@小融 医药港宿舍水龙头关不紧，派人修'))).reply);
      const id = Number(/#(\d+)/.exec(opened.stream.content)![1]);
      await app.desk.reply(id, 'w-yyg-01', '师傅下午两点到');
      await app.notifier.settled();
      // The response_url works once: it carries the first message (the acceptance) @ the requester.
      const first = await waitFor(() => wecom.requestsTo('/response/aibot-5')[0]);
      expect(first.body).toMatchObject({ msgtype: 'markdown' });
      expect(first.body.markdown.content).toContain('<@xiaowang>');
      expect(first.body.markdown.content).toContain(`已接单（工单 #${id}）`);
      expect(wecom.requestsTo('/response/aibot-5')).toHaveLength(1);
      // The reply then reaches the requester directly through the app.
      const relay = await waitFor(() => wecom.requestsTo('/cgi-bin/message/send').find((request) => request.body.text.content.includes(`工单 #${id}】师傅下午两点到`)));
      expect(relay.body.touser).toBe('xiaowang');
    });
  });
});
