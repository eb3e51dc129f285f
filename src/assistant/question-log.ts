import type { SqlDatabase } from '../storage/sql.ts';

export type QuestionRecord = {
  at: Date;
  channel: string;
  conversationId: string;
  userId: string;
  /** What the user typed (masked). */
  text: string;
  /** The standalone question that was searched. */
  question: string;
  route: string;
  category: string | null;
  relevance: number | null;
  answered: boolean;
  /** The message this question came in: what feedback refers to. */
  messageId?: string;
  /** The first cited document, for "top topics". */
  topSource?: string | null;
};

/** Every question and how it was handled, for the insights page (unanswered questions above all). */
export interface QuestionLog {
  record(entry: QuestionRecord): Promise<void>;
  unanswered(limit: number): Promise<(QuestionRecord & { id: number })[]>;
}

/** The question log in the app's database (SQLite or PostgreSQL). */
export class SqlQuestionLog implements QuestionLog {
  constructor(private readonly sql: SqlDatabase) {}

  async record(entry: QuestionRecord): Promise<void> {
    await this.sql.run(
      `INSERT INTO question_log (at, channel, conversation_id, user_id, text, question, route, category, relevance, answered, message_id, top_source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        entry.at.toISOString(),
        entry.channel,
        entry.conversationId,
        entry.userId,
        entry.text,
        entry.question,
        entry.route,
        entry.category,
        entry.relevance,
        entry.answered ? 1 : 0,
        entry.messageId ?? null,
        entry.topSource ?? null,
      ],
    );
  }

  async unanswered(limit: number): Promise<(QuestionRecord & { id: number })[]> {
    const rows = await this.sql.all<Record<string, unknown>>('SELECT * FROM question_log WHERE answered = 0 ORDER BY at DESC, id DESC LIMIT ?', [limit]);
    return rows.map((row) => ({
      id: Number(row.id),
      at: new Date(row.at as string),
      channel: row.channel as string,
      conversationId: row.conversation_id as string,
      userId: row.user_id as string,
      text: row.text as string,
      question: row.question as string,
      route: row.route as string,
      category: (row.category as string | null) ?? null,
      relevance: (row.relevance as number | null) ?? null,
      answered: row.answered === 1,
    }));
  }
}
