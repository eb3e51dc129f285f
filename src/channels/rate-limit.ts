import type { KeyValueStore } from '../assistant/memory.ts';
import type { Clock } from '../clock.ts';

export type RateDecision = 'allow' | 'warn' | 'silent';

/**
 * A fixed-window limit per key, counted in the shared store (Redis when several instances run). The
 * first message over the limit gets one friendly line ('warn'), the rest of the window is silence,
 * so a flood never becomes a conversation.
 */
export class RateLimiter {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly name = 'rate',
  ) {}

  async check(key: string): Promise<RateDecision> {
    const window = Math.floor(this.clock.now().getTime() / this.windowMs);
    const count = await this.store.increment(`${this.name}:${key}:${window}`, Math.ceil(this.windowMs / 1000) + 1);
    if (count <= this.limit) return 'allow';
    return count === this.limit + 1 ? 'warn' : 'silent';
  }
}
