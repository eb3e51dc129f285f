import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { KeyValueStore } from '../assistant/memory.ts';
import type { Clock } from '../clock.ts';

/**
 * express-rate-limit's counters in the app's shared store, so a limit holds across every instance
 * behind the load balancer (Redis), not per process. Fixed windows aligned to the clock.
 */
export class SharedRateStore implements Store {
  private windowMs = 60_000;
  readonly localKeys = false;

  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private window(key: string): { key: string; window: number; ttlSeconds: number } {
    const window = Math.floor(this.clock.now().getTime() / this.windowMs);
    return { key: `http-rate:${this.prefix}:${key}:${window}`, window, ttlSeconds: Math.ceil(this.windowMs / 1000) + 1 };
  }

  async increment(key: string): Promise<IncrementResponse> {
    const current = this.window(key);
    const totalHits = await this.store.increment(current.key, current.ttlSeconds);
    return { totalHits, resetTime: new Date((current.window + 1) * this.windowMs) };
  }

  async decrement(key: string): Promise<void> {
    const current = this.window(key);
    await this.store.increment(current.key, current.ttlSeconds, -1);
  }

  async resetKey(key: string): Promise<void> {
    await this.store.delete(this.window(key).key);
  }
}
