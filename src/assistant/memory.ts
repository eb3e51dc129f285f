import type { Clock } from '../clock.ts';
import type { ReportedRoute } from './types.ts';

/** Short-lived keyed state: sessions, dedupe marks. Redis implements the same interface. */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlSeconds: number): Promise<void>;
  /** Sets only when absent; true when this call set it (a first sighting). */
  setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds `by` (default 1) to a counter that lives `ttlSeconds` from its first increment; the new count. */
  increment(key: string, ttlSeconds: number, by?: number): Promise<number>;
}

export class InMemoryStore implements KeyValueStore {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  private live(key: string): { value: unknown; expiresAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.live(key)?.value as T | undefined;
  }

  async set<T>(key: string, value: T, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value: structuredClone(value), expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
    if (this.entries.size > 50_000) this.sweep();
  }

  async setIfAbsent<T>(key: string, value: T, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async increment(key: string, ttlSeconds: number, by = 1): Promise<number> {
    const entry = this.live(key);
    if (!entry) {
      await this.set(key, by, ttlSeconds);
      return by;
    }
    entry.value = (entry.value as number) + by;
    return entry.value as number;
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

export type Turn = { role: 'user' | 'assistant'; text: string; at: string };

/** What the assistant remembers of one user in one conversation. */
export type Session = {
  turns: Turn[];
  /** The last standalone question that was answered: what an elliptical follow-up refers to. */
  lastQuestion?: string;
  /** What that question is about: itself, or for a follow-up the question it leaned on (with its place). */
  topic?: string;
  lastCategory?: string | null;
  /** What became of the previous message: "转人工" right after an answer is about its question. */
  lastRoute?: ReportedRoute;
};

export const emptySession = (): Session => ({ turns: [] });
