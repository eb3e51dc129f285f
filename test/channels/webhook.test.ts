import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeComWebhookChannel } from '../../src/channels/wecom/webhook-channel.ts';
import { ManualClock } from '../../src/clock.ts';
import { readRoster, Roster } from '../../src/handoff/roster.ts';
import { FakeWeComServer } from '../fakes/wecom-server.ts';
import { silentLogger } from '../helpers.ts';

describe('staff group webhook', () => {
  let wecom: FakeWeComServer;
  let roster: Roster;
  beforeAll(async () => {
    wecom = await new FakeWeComServer().start();
    const base = await readRoster('config/roster.example.yaml', 'config/rooms.example.yaml');
    roster = new Roster(
      { ...base.data, communities: base.data.communities.map((community) => ({ ...community, webhook: `${wecom.baseUrl}/cgi-bin/webhook/send?key=${community.id}` })) },
      base.rooms,
    );
  });
  afterAll(() => wecom.stop());

  it('sends markdown that @s the worker by userid', async () => {
    const channel = new WeComWebhookChannel({ roster: () => roster, clock: new ManualClock(), logger: silentLogger });
    await channel.send({ kind: 'group', conversationId: 'dachuang', mentions: ['chengang'] }, { text: '【新工单 #1001】报修 · 大创小镇产业社区' });
    const request = wecom.requests.find((entry) => entry.query.key === 'dachuang')!;
    expect(request.body).toEqual({ msgtype: 'markdown', markdown: { content: '【新工单 #1001】报修 · 大创小镇产业社区\n<@chengang>' } });
    await expect(channel.send({ kind: 'direct', userId: 'x' }, { text: 'x' })).rejects.toThrow(/cannot send direct/);
  });

  it('sends at most 20 messages a minute per webhook, queuing and merging the rest without dropping any', async () => {
    const clock = new ManualClock();
    const channel = new WeComWebhookChannel({ roster: () => roster, clock, logger: silentLogger });
    const before = wecom.requests.filter((entry) => entry.query.key === 'yiyaogang').length;
    const notices = Array.from({ length: 30 }, (_, i) => `⏰ 工单 #${2000 + i} 已等待 30 分钟未接单`);
    const sends = notices.map((text) => channel.send({ kind: 'group', conversationId: 'yiyaogang' }, { text }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentNow = () => wecom.requests.filter((entry) => entry.query.key === 'yiyaogang').slice(before);
    expect(sentNow()).toHaveLength(20);
    clock.advance(61_000); // the window frees up; the queued notices go out merged
    await Promise.all(sends);
    const all = sentNow();
    expect(all.length).toBeLessThanOrEqual(21);
    const delivered = all.map((entry) => entry.body.markdown.content).join('\n');
    for (const text of notices) expect(delivered).toContain(text);
    await channel.stop();
  });

  it('rejects, never silently drops, when WeCom refuses', async () => {
    const channel = new WeComWebhookChannel({ roster: () => roster, clock: new ManualClock(), logger: silentLogger });
    wecom.scripted.set('/cgi-bin/webhook/send', [93000]);
    await expect(channel.send({ kind: 'group', conversationId: 'xingu' }, { text: '通知' })).rejects.toThrow(/93000/);
    await expect(channel.send({ kind: 'group', conversationId: 'nowhere' }, { text: '通知' })).rejects.toThrow(/no staff group webhook/);
  });
});
