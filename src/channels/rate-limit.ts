import type { Clock } from '../clock.ts';

export type RateDecision = 'allow' | 'warn' | 'silent';

/**
 * A fixed-window limit per key. The first message over the limit gets one friendly line ('warn'),
 * the rest of the window is silence, so a flood never becomes a conversation.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number; warned: boolean }>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  check(key: string): RateDecision {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0, warned: false };
      this.windows.set(key, window);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    window.count++;
    if (window.count <= this.limit) return 'allow';
    if (window.warned) return 'silent';
    window.warned = true;
    return 'warn';
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}
