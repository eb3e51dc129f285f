import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { createChannels, startChannels, type Channels } from '../../src/channels/setup.ts';
import { scratchSchema, testApp, TEST_REDIS_URL, waitFor } from '../helpers.ts';

const onMessage = (target: unknown, listener: (message: mock.MessageMock) => void) =>
  (target as { on(event: 'message', listener: (message: mock.MessageMock) => void): void }).on('message', listener);

/** Two instances on one PostgreSQL and Redis: only one holds the WeChat login. */
describe('a WeChat conversation when a worker answers on another instance', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("relays the worker's reply to the instance holding the WeChat login, which sends it", async () => {
    const scratch = await scratchSchema();
    cleanups.push(() => scratch.drop());
    const env = { DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: scratch.prefix };
    const start = async (name: string, mocker: mock.Mocker): Promise<[Awaited<ReturnType<typeof testApp>>, Channels]> => {
      const app = await testApp({ ...env, INSTANCE_ID: name });
      const channels = createChannels(app, { wechatyPuppet: new PuppetMock({ mocker }) });
      await startChannels(channels, app);
      cleanups.push(async () => {
        await channels.hub.stop();
        await app.cleanup();
      });
      return [app, channels];
    };
    const mocker = new mock.Mocker();
    const [holderApp, holder] = await start('holder', mocker);
    const [otherApp, other] = await start('other', new mock.Mocker());
    expect(holder.hub.started.map((channel) => channel.name)).toContain('wechaty');
    expect(other.hub.started.map((channel) => channel.name)).not.toContain('wechaty');

    const bot = mocker.createContact({ name: '小融' });
    mocker.login(bot);
    const requester = mocker.createContact({ name: '小李' });
    const said: string[] = [];
    onMessage(requester, (message) => {
      if (message.talker().id === bot.id) said.push(message.text() ?? '');
    });
    await waitFor(() => holder.wechaty?.loggedIn);
    requester.say('医药港宿舍空调坏了，派人修，电话13812345678').to(bot);
    const ticket = await waitFor(async () => (await holderApp.tickets.list({ status: ['assigned'] }))[0], 10_000);

    // The worker answers in the web console, served by the instance without the login.
    expect((await otherApp.desk.accept(ticket.id, ticket.assignee!)).ok).toBe(true);
    expect((await otherApp.desk.reply(ticket.id, ticket.assignee!, '明天上午九点上门维修')).ok).toBe(true);
    await waitFor(() => said.some((text) => /明天上午九点上门维修/.test(text)), 10_000);
    const notifications = await otherApp.tickets.notifications({ ticketId: ticket.id });
    const relayed = notifications.filter((notification) => /明天上午九点上门维修/.test(notification.text));
    expect(relayed).toHaveLength(1);
    await waitFor(async () => (await otherApp.tickets.notifications({ ticketId: ticket.id })).find((notification) => notification.id === relayed[0]!.id)?.status === 'sent');
    expect(said.filter((text) => /明天上午九点上门维修/.test(text))).toHaveLength(1);
  }, 60_000);
});
