export const ROUTES = ['answer', 'handoff', 'greeting', 'out_of_scope'] as const;
export type Route = (typeof ROUTES)[number];
/** What the assistant reports: a route, or `no_answer` when an answer found nothing. */
export type ReportedRoute = Route | 'no_answer';

export type RouteDecision = { route: Route; category: string | null; confidence: number; by: 'local' | 'model' | 'rule' };

export type Citation = { n: number; title: string; source: string; section?: string; excerpt: string };

/** Where a message came from and where replies go. */
export type Address = { channel: string; conversationId: string; userId?: string };

export type InboundMessage = {
  id: string;
  channel: string;
  at: Date;
  conversation: { id: string; kind: 'group' | 'direct'; title?: string };
  /** `isBot`: another bot (an official account, a robot): never answered. */
  sender: { id: string; name: string; isBot?: boolean };
  /** With the bot's @name stripped. */
  text: string;
  mentionsBot: boolean;
  /** A voice note, picture, video or file sent in a direct chat: the bot cannot read it, and `text` is empty. */
  media?: MediaKind;
};

export type MediaKind = 'voice' | 'image' | 'video' | 'file';

export type TicketSummary = { id: number; status: string; category: string; community: string | null; assignee: string | null };

export type Reply = {
  text: string;
  mentions?: string[];
  citations?: Citation[];
  ticketId?: number;
  /** Send to the sender in a direct chat instead of where the message came from. */
  direct?: boolean;
};

/** The outcome of one message: what was decided and what to send. */
export type AssistantResult = {
  route: ReportedRoute;
  category: string | null;
  answer: string;
  citations: Citation[];
  ticket: TicketSummary | null;
  replies: Reply[];
  /** How well the best passages covered the question (answer route only). */
  relevance?: number | null;
  /** What the question asked about that no document mentions: no_answer whatever the relevance. */
  unmentioned?: string;
  /** The value asked for ("邻里中心的食堂的开放时间") that the documents about it do not state: no_answer whatever the relevance. */
  notStated?: string;
};

/** Streamed answer events, named noun-verb. */
export type AnswerEvent =
  | { type: 'text-delta'; text: string }
  | { type: 'citations'; citations: Citation[] }
  | { type: 'done'; result: AssistantResult };
