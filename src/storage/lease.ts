import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { SqlDatabase } from './sql.ts';

/**
 * A named lease in the shared database: one holder at a time, until it expires. The holder renews
 * it; when the holder dies its lease runs out and another instance takes it.
 */
export class Lease {
  constructor(
    private readonly sql: SqlDatabase,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  /** Takes the lease if it is free or expired, or renews it if this holder has it. True when held. */
  async acquire(): Promise<boolean> {
    const now = this.clock.now().getTime();
    const { changes } = await this.sql.run(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
      [this.name, this.holder, now + this.ttlMs, now],
    );
    return changes === 1;
  }

  async release(): Promise<void> {
    await this.sql.run('DELETE FROM leases WHERE name = ? AND holder = ?', [this.name, this.holder]);
  }

  async currentHolder(): Promise<string | undefined> {
    const row = await this.sql.get<{ holder: string }>('SELECT holder FROM leases WHERE name = ? AND expires_at > ?', [this.name, this.clock.now().getTime()]);
    return row?.holder;
  }
}

export type LeaseDuties = { onAcquired(): Promise<void> | void; onLost(): Promise<void> | void };

/**
 * Keeps trying for a lease and renews it while held (every third of its lifetime). Whoever holds it
 * does the duty: `onAcquired` starts it, `onLost` stops it. A renewal that cannot reach the database
 * keeps the duty only until the lease it last had runs out.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private heldUntil = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly lease: Lease,
    private readonly duties: LeaseDuties,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  get held(): boolean {
    return this.heldUntil > 0;
  }

  /** Which instance holds the lease now, if any. */
  holder(): Promise<string | undefined> {
    return this.lease.currentHolder();
  }

  start(): Promise<void> {
    const interval = Math.max(200, Math.floor(this.lease.ttlMs / 3));
    this.timer = setInterval(() => void this.check(), interval);
    this.timer.unref();
    return this.check();
  }

  /** One attempt now: acquire or renew, and start or stop the duty accordingly. */
  check(): Promise<void> {
    this.running = this.running.then(() => this.attempt());
    return this.running;
  }

  private async attempt(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    let holds: boolean;
    try {
      holds = await this.lease.acquire();
    } catch (error) {
      this.deps.logger.warn({ err: error, lease: this.lease.name }, 'lease could not be renewed');
      holds = this.held && now < this.heldUntil;
      if (holds) return;
    }
    if (holds) {
      const first = !this.held;
      this.heldUntil = now + this.lease.ttlMs;
      if (first) {
        this.deps.logger.info({ lease: this.lease.name, holder: this.lease.holder }, 'lease acquired');
        if (!(await this.run('onAcquired'))) {
          // The duty could not start here (a puppet service down, say): let go, so that this or
          // another instance tries again at its next check.
          this.heldUntil = 0;
          await this.lease.release().catch(() => undefined);
        }
      }
    } else if (this.held) {
      this.heldUntil = 0;
      this.deps.logger.warn({ lease: this.lease.name }, 'lease lost');
      await this.run('onLost');
    }
  }

  private async run(duty: keyof LeaseDuties): Promise<boolean> {
    try {
      await this.duties[duty]();
      return true;
    } catch (error) {
      this.deps.logger.error({ err: error, lease: this.lease.name }, `lease ${duty} failed`);
      return false;
    }
  }

  /** Stops trying; a held lease is stopped and released so another instance takes over at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    if (!this.held) return;
    this.heldUntil = 0;
    await this.run('onLost');
    await this.lease.release().catch((error) => this.deps.logger.warn({ err: error, lease: this.lease.name }, 'lease could not be released'));
  }
}
