/** Durations the core reports (retrieval, model calls) for whoever measures them (the metrics endpoint). */
export type TimingKind = 'retrieval' | 'model';

export class Timings {
  private readonly listeners: ((kind: TimingKind, seconds: number) => void)[] = [];

  subscribe(listener: (kind: TimingKind, seconds: number) => void): void {
    this.listeners.push(listener);
  }

  observe(kind: TimingKind, seconds: number): void {
    for (const listener of this.listeners) listener(kind, seconds);
  }

  /** Runs `task` and reports how long it took. */
  async time<T>(kind: TimingKind, task: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.observe(kind, (performance.now() - started) / 1000);
    }
  }
}
