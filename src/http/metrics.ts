import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppServices } from '../app.ts';
import type { ArrivalOrder } from './arrival-order.ts';

export type Metrics = ReturnType<typeof createMetrics>;

/** Prometheus metrics: requests, latencies, requests waiting, answer and retrieval timings, tickets by status. */
export function createMetrics(app: AppServices, arrivals: ArrivalOrder) {
  const registry = new Registry();
  const requests = new Counter({ name: 'rongzhi_http_requests_total', help: 'HTTP requests', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'rongzhi_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const answerSeconds = new Histogram({
    name: 'rongzhi_answer_duration_seconds',
    help: 'Time to answer a chat message (retrieval and generation)',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const retrievalSeconds = new Histogram({
    name: 'rongzhi_retrieval_duration_seconds',
    help: 'Hybrid retrieval latency',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const modelSeconds = new Histogram({
    name: 'rongzhi_model_duration_seconds',
    help: 'Chat model answer generation (online mode)',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60],
    registers: [registry],
  });
  app.timings.subscribe((kind, seconds) => (kind === 'retrieval' ? retrievalSeconds : modelSeconds).observe(seconds));
  new Gauge({
    name: 'rongzhi_tickets',
    help: 'Tickets by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await app.sql.all<{ status: string; count: number }>('SELECT status, COUNT(*) AS count FROM tickets GROUP BY status');
      this.reset();
      for (const row of rows) this.set({ status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'rongzhi_http_requests_waiting',
    help: 'HTTP requests waiting for their turn',
    registers: [registry],
    collect() {
      this.set(arrivals.waiting);
    },
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.on('finish', () => {
      // The matched route pattern, not the raw path: /api/tickets/:id, not one series per ticket.
      const pattern = req.route?.path ? `${req.baseUrl}${req.route.path}` : res.statusCode === 404 ? 'unmatched' : req.path;
      requests.inc({ method: req.method, route: pattern, status: String(res.statusCode) });
      latency.observe({ method: req.method, route: pattern }, (performance.now() - started) / 1000);
    });
    next();
  };
  return { registry, middleware, answerSeconds, retrievalSeconds };
}
