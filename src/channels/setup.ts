import type { Router } from 'express';
import type { AppServices } from '../app.ts';
import type { LeaseKeeper } from '../storage/lease.ts';
import type { Channel } from './channel.ts';
import { ChannelHub } from './hub.ts';
import { WechatyChannel } from './wechaty/wechaty-channel.ts';
import { WeComAiBotChannel } from './wecom/aibot-channel.ts';
import { WeComApiClient } from './wecom/api-client.ts';
import { WeComAppChannel } from './wecom/app-channel.ts';
import { WeComCrypto } from './wecom/crypto.ts';
import { WeComWebhookChannel } from './wecom/webhook-channel.ts';

export type Channels = {
  hub: ChannelHub;
  channels: Channel[];
  routers: Router[];
  wechaty: WechatyChannel | undefined;
  /** Who holds the WeChat login, once channels are started. */
  wechatyLease?: LeaseKeeper;
  /** Channels left off because they are not configured (said once at start). */
  off: string[];
};

/** Creates the configured channels (not started yet) and the hub that connects them to the assistant. */
export function createChannels(app: AppServices, overrides: { wechatyPuppet?: object; fetch?: typeof fetch; firstReplyWaitMs?: number } = {}): Channels {
  const { config, logger, clock, store, assistant, notifier, roster } = app;
  const settings = config.channels;
  const hub = new ChannelHub({
    assistant,
    roster: () => roster.roster,
    notifier,
    store,
    clock,
    logger,
    options: { prefixes: settings.prefixes, perSenderPerMinute: settings.perSenderPerMinute, perGroupPerMinute: settings.perGroupPerMinute },
  });
  const channels: Channel[] = [];
  const routers: Router[] = [];
  const off: string[] = [];
  const fetchOption = overrides.fetch !== undefined ? { fetch: overrides.fetch } : {};

  if (settings.app) {
    const api = new WeComApiClient({ baseUrl: settings.apiBase, corpId: settings.app.corpId, secret: settings.app.secret, clock, ...fetchOption });
    const channel = new WeComAppChannel({ crypto: new WeComCrypto(settings.app.token, settings.app.aesKey, settings.app.corpId), api, agentId: settings.app.agentId, store, clock, logger });
    channels.push(channel);
    routers.push(channel.router());
  } else off.push('WeCom app (set WECOM_CORP_ID, WECOM_APP_TOKEN, WECOM_APP_AES_KEY, WECOM_AGENT_ID, WECOM_APP_SECRET)');

  if (settings.aibot) {
    const channel = new WeComAiBotChannel({
      crypto: new WeComCrypto(settings.aibot.token, settings.aibot.aesKey, ''),
      store,
      clock,
      logger,
      ...fetchOption,
      ...(overrides.firstReplyWaitMs !== undefined && { firstReplyWaitMs: overrides.firstReplyWaitMs }),
    });
    channel.setHandler((message, onEvent) => hub.receive(channel, message, { onEvent, inline: true }));
    channels.push(channel);
    routers.push(channel.router());
  } else off.push('WeCom AI bot (set WECOM_BOT_TOKEN, WECOM_BOT_AES_KEY)');

  const wechatyPuppet = overrides.wechatyPuppet ?? settings.wechaty?.puppet;
  const wechaty = wechatyPuppet ? new WechatyChannel({ puppet: wechatyPuppet, puppetToken: settings.wechaty?.token, logger }) : undefined;
  if (wechaty) channels.push(wechaty);
  else off.push('WeChat groups through wechaty (set WECHATY_PUPPET)');

  if (roster.roster.data.communities.some((community) => community.webhook)) channels.push(new WeComWebhookChannel({ roster: () => roster.roster, clock, logger, ...fetchOption }));
  else off.push('staff group webhooks (add webhook: to communities in the roster)');

  return { hub, channels, routers, wechaty, off };
}

/**
 * Starts every configured channel, and says once which are off. The WeChat login runs on exactly one
 * instance: the one holding the `wechaty` lease; when it dies, another takes the lease and logs in,
 * and delivers what waited for it.
 */
export async function startChannels(setup: Channels, app: Pick<AppServices, 'logger' | 'keepLease' | 'notifier' | 'cluster'>): Promise<void> {
  const { hub, wechaty } = setup;
  for (const channel of setup.channels) if (channel !== wechaty) await hub.start(channel);
  for (const what of setup.off) app.logger.info(`channel not configured, not started: ${what}`);
  if (!wechaty) return;
  // A notification for a WeChat group, raised on an instance without the login, goes to the one with it.
  app.notifier.setRelay(async (notification) => {
    const channels = runningElsewhere(setup);
    if (!channels.length || !app.cluster.shared) return false;
    await app.cluster.publish({ type: 'deliver', notification, channels });
    return true;
  });
  app.cluster.subscribe((event) => {
    if (event.type === 'deliver' && hub.started.some((channel) => event.channels.includes(channel.name))) app.notifier.redeliver(event.notification);
  });
  setup.wechatyLease = app.keepLease('wechaty', {
    onAcquired: async () => {
      await hub.start(wechaty);
      await app.notifier.redeliverPending();
    },
    onLost: () => hub.stopChannel(wechaty),
  });
  await setup.wechatyLease.start();
}

/** Channels configured here but running on another instance (the WeChat login held elsewhere). */
export function runningElsewhere(setup: Channels): string[] {
  return setup.wechaty && !setup.hub.started.includes(setup.wechaty) ? [setup.wechaty.name] : [];
}
