import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ArrivalOrder, inArrivalOrder } from '../../src/http/arrival-order.ts';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('ArrivalOrder', () => {
  it('runs work in the order it arrived, passing results and errors back', async () => {
    const order = new ArrivalOrder();
    const ran: number[] = [];
    const jobs = [1, 2, 3, 4, 5].map((n) =>
      order.run(async () => {
        ran.push(n);
        if (n === 3) throw new Error('job 3 failed');
        return n * 10;
      }),
    );
    expect(order.waiting).toBe(5);
    const settled = await Promise.allSettled(jobs);
    expect(ran).toEqual([1, 2, 3, 4, 5]);
    expect(settled.map((result) => (result.status === 'fulfilled' ? result.value : (result.reason as Error).message))).toEqual([10, 20, 'job 3 failed', 40, 50]);
    expect(order.waiting).toBe(0);
  });

  it('lets the event loop look at its sockets and timers between slices of work', async () => {
    const order = new ArrivalOrder(5);
    const events: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        order.run(() => {
          if (n === 0) setTimeout(() => events.push('timer'), 0);
          busy(3);
          events.push(`job ${n}`);
        }),
      ),
    );
    // 30 ms of work in 5 ms slices: the timer set by the first job fires long before the last one.
    expect(events.indexOf('timer')).toBeGreaterThan(0);
    expect(events.indexOf('timer')).toBeLessThan(events.indexOf('job 9'));
    expect(events.filter((event) => event !== 'timer')).toEqual(Array.from({ length: 10 }, (_, n) => `job ${n}`));
  });

  it('does not hold the queue for a job that waits on something else', async () => {
    const order = new ArrivalOrder();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const waiting = order.run(async () => {
      await released;
      return 'first';
    });
    // The second job is what the first waits for: were the queue to wait for the first, neither would end.
    const second = order.run(() => {
      release();
      return 'second';
    });
    expect(await Promise.all([waiting, second])).toEqual(['first', 'second']);
  });

  it('gives an HTTP request its turn until its response is done, or until it waits', async () => {
    const order = new ArrivalOrder();
    const app = express();
    app.use(inArrivalOrder(order));
    let answerSlow!: () => void;
    const slowStarted = new Promise<void>((started) =>
      app.get('/slow', (_req, res) => {
        started();
        answerSlow = () => res.json({ slow: true });
      }),
    );
    app.get('/fast', (_req, res) => {
      busy(2);
      res.json({ fast: true });
    });
    app.get('/broken', () => {
      throw new Error('broken handler');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const slow = fetch(`${base}/slow`);
      await slowStarted;
      // The slow request waits for something the fast ones do not need: they are answered meanwhile.
      const fast = await Promise.all([1, 2, 3].map(() => fetch(`${base}/fast`).then((response) => response.json())));
      expect(fast).toEqual([{ fast: true }, { fast: true }, { fast: true }]);
      expect((await fetch(`${base}/broken`)).status).toBe(500);
      answerSlow();
      expect(await (await slow).json()).toEqual({ slow: true });
      expect(order.waiting).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
