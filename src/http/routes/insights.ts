import express, { type Router } from 'express';
import type { AppServices } from '../../app.ts';
import { normalizeText } from '../../retrieval/text.ts';
import { route } from '../errors.ts';

/** What people ask and how it went: for district staff deciding what to write next. */
export function insightsRoutes(app: AppServices, requireAdmin: express.RequestHandler): Router {
  const router = express.Router();
  router.get('/api/insights', requireAdmin, route(async (_req, res) => {
    const sql = app.sql;
    const all = <T>(statement: string) => sql.all<T>(statement);
    // Days in Beijing time.
    const day = sql.dialect === 'postgres' ? `to_char(at::timestamptz AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')` : `date(at, '+8 hours')`;
    const questionsPerDay = (await all<{ day: string; count: number }>(`SELECT ${day} AS day, COUNT(*) AS count FROM question_log GROUP BY day ORDER BY day DESC LIMIT 30`)).reverse();
    const routes = await all<{ route: string; count: number }>('SELECT route, COUNT(*) AS count FROM question_log GROUP BY route ORDER BY count DESC');
    const index = app.knowledge.index;
    const topTopics = (await all<{ source: string; count: number }>('SELECT top_source AS source, COUNT(*) AS count FROM question_log WHERE top_source IS NOT NULL GROUP BY top_source ORDER BY count DESC LIMIT 10')).map((row) => ({
      ...row,
      title: index?.manifest.sources[row.source]?.title ?? row.source,
    }));
    const unanswered = new Map<string, { question: string; count: number; last: string }>();
    for (const row of await all<{ text: string; at: string }>('SELECT text, at FROM question_log WHERE answered = 0 ORDER BY at DESC LIMIT 2000')) {
      const key = normalizeText(row.text).replace(/[？?。！!，,]/g, '');
      const group = unanswered.get(key) ?? { question: row.text, count: 0, last: row.at };
      group.count++;
      unanswered.set(key, group);
    }
    const [feedback] = await all<{ up: number | null; down: number | null }>('SELECT SUM(CASE WHEN rating > 0 THEN 1 ELSE 0 END) AS up, SUM(CASE WHEN rating < 0 THEN 1 ELSE 0 END) AS down FROM feedback');
    const categories = (await all<{ category: string; count: number }>('SELECT category, COUNT(*) AS count FROM tickets GROUP BY category ORDER BY count DESC')).map((row) => ({ ...row, label: app.categories.label(row.category) }));
    const communities = (await all<{ community: string; count: number }>('SELECT community, COUNT(*) AS count FROM tickets GROUP BY community ORDER BY count DESC')).map((row) => ({ ...row, name: app.roster.roster.community(row.community)?.name ?? row.community }));
    const breaches = await all<{ type: string; count: number }>("SELECT type, COUNT(*) AS count FROM ticket_events WHERE type IN ('reminded', 'escalated', 'resolve-overdue') GROUP BY type");
    const ratings = await all<{ rating: number; count: number }>('SELECT rating, COUNT(*) AS count FROM tickets WHERE rating IS NOT NULL GROUP BY rating ORDER BY rating');
    const rated = ratings.reduce((sum, row) => sum + row.count, 0);
    res.json({
      questionsPerDay,
      routes,
      topTopics,
      unanswered: [...unanswered.values()].sort((a, b) => b.count - a.count).slice(0, 20),
      feedback: { up: feedback?.up ?? 0, down: feedback?.down ?? 0 },
      tickets: { byCategory: categories, byCommunity: communities },
      serviceLevelBreaches: Object.fromEntries(breaches.map((row) => [row.type, row.count])),
      satisfaction: { rated, average: rated ? ratings.reduce((sum, row) => sum + row.rating * row.count, 0) / rated : null, distribution: ratings },
    });
  }));
  return router;
}
