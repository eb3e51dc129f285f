import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { KeyValueStore } from '../assistant/memory.ts';
import type { Logger } from '../logger.ts';

import type { Notification } from '../handoff/ticket.ts';

/** What one instance tells the others. */
export type ClusterEvent =
  | { type: 'index'; contentHash: string }
  | { type: 'roster' }
  /** A notification only an instance running one of `channels` can deliver. */
  | { type: 'deliver'; notification: Notification; channels: string[] };

/** Announcements between instances, and the one value they all agree on: the knowledge index in force. */
export interface Cluster {
  /** False for a single instance: there is nobody to tell. */
  readonly shared: boolean;
  publish(event: ClusterEvent): Promise<void>;
  /** Events from other instances (never this one's own). */
  subscribe(handler: (event: ClusterEvent) => void): void;
  /** The content hash of the index every instance should serve, if one was announced. */
  sharedIndexHash(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** One instance alone: nobody to tell. */
export class SingleInstance implements Cluster {
  readonly shared = false;
  async publish(): Promise<void> {}
  subscribe(): void {}
  async sharedIndexHash(): Promise<string | undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
}

/** Opens a Redis connection; a command fails after two reconnection attempts instead of waiting forever. */
export function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'Redis connection error'));
  return redis;
}

/** Short-lived state in Redis, shared by every instance: dedupe marks, rate-limit counters, conversation memory. */
export class RedisStore implements KeyValueStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX')) === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async increment(key: string, ttlSeconds: number, by = 1): Promise<number> {
    const full = this.prefix + key;
    const results = await this.redis.multi().set(full, 0, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX').incrby(full, by).exec();
    const [error, count] = results?.[1] ?? [new Error('Redis transaction was discarded'), 0];
    if (error) throw error;
    return count as number;
  }
}

/** Pub/sub over Redis; a second connection listens, as Redis requires. */
export class RedisCluster implements Cluster {
  readonly shared = true;
  private readonly subscriber: Redis;
  private readonly events = new EventEmitter();
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly instanceId: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}events`;
    // No ready check: ioredis writes SUBSCRIBE at once while the connection is still shaking hands,
    // and the INFO of its ready check then fails on a connection already subscribed — it reconnects
    // without the subscription and hears nothing again. A subscriber has no use for INFO.
    this.subscriber = redis.duplicate({ enableReadyCheck: false });
    this.subscriber.on('error', (error) => logger.warn({ err: error }, 'Redis subscriber error'));
    this.subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        const { from, event } = JSON.parse(raw) as { from: string; event: ClusterEvent };
        if (from !== this.instanceId) this.events.emit('event', event);
      } catch (error) {
        logger.warn({ err: error }, 'unreadable cluster event ignored');
      }
    });
  }

  /** Resolves once the subscription is in place. */
  async ready(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  async publish(event: ClusterEvent): Promise<void> {
    if (event.type === 'index') await this.redis.set(`${this.prefix}index:contentHash`, event.contentHash);
    await this.redis.publish(this.channel, JSON.stringify({ from: this.instanceId, event }));
  }

  subscribe(handler: (event: ClusterEvent) => void): void {
    this.events.on('event', (event: ClusterEvent) => {
      try {
        handler(event);
      } catch (error) {
        this.logger.error({ err: error, event }, 'cluster event handler failed');
      }
    });
  }

  async sharedIndexHash(): Promise<string | undefined> {
    return (await this.redis.get(`${this.prefix}index:contentHash`)) ?? undefined;
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }
}
