import path from 'node:path';
import { Answerer } from './assistant/answerer.ts';
import { Assistant } from './assistant/assistant.ts';
import { Categories } from './assistant/categories.ts';
import { LocalRouter, loadRouterExamples } from './assistant/local-router.ts';
import { InMemoryStore, type KeyValueStore } from './assistant/memory.ts';
import { SqliteQuestionLog } from './assistant/question-log.ts';
import { Router } from './assistant/router.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { HandoffDesk } from './handoff/desk.ts';
import { OutboxNotifier } from './handoff/notifier.ts';
import { resolveConfigFile, RosterSource } from './handoff/roster.ts';
import { SlaScheduler } from './handoff/sla.ts';
import { SqliteTicketStore } from './handoff/sqlite-ticket-store.ts';
import type { TicketStore } from './handoff/ticket-store.ts';
import { loadGlossary } from './knowledge/glossary.ts';
import { ChatModel } from './llm/chat-model.ts';
import { createOpenAIClient } from './llm/openai-client.ts';
import { Prompts } from './llm/prompts.ts';
import type { Logger } from './logger.ts';
import type { IdentifiedEmbeddings } from './retrieval/embedder.ts';
import { hashOf } from './retrieval/index-store.ts';
import { KnowledgeService } from './retrieval/knowledge-service.ts';
import { LocalHashEmbeddings } from './retrieval/local-embedder.ts';
import { OpenAICompatibleEmbeddings } from './retrieval/openai-embedder.ts';
import { Tokenizer } from './retrieval/tokenizer.ts';
import { Timings } from './timings.ts';
import { openSqlite, type SqliteDatabase } from './storage/sqlite.ts';

export type AppServices = {
  config: Config;
  logger: Logger;
  clock: Clock;
  timings: Timings;
  embeddings: IdentifiedEmbeddings;
  tokenizer: Tokenizer;
  knowledge: KnowledgeService;
  categories: Categories;
  db: SqliteDatabase;
  store: KeyValueStore;
  roster: RosterSource;
  tickets: TicketStore;
  notifier: OutboxNotifier;
  desk: HandoffDesk;
  sla: SlaScheduler;
  assistant: Assistant;
  close(): Promise<void>;
};

export type AppOverrides = {
  embeddings?: IdentifiedEmbeddings;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Where config/ and prompts/ live (default: the working directory). */
  root?: string;
};

export function createEmbeddings(config: Config, overrides: AppOverrides = {}): IdentifiedEmbeddings {
  if (overrides.embeddings) return overrides.embeddings;
  if (config.embedding.kind === 'local') return new LocalHashEmbeddings({ dimensions: config.embedding.dimensions });
  return new OpenAICompatibleEmbeddings({
    client: createOpenAIClient({ ...config.openai, ...(overrides.fetch !== undefined && { fetch: overrides.fetch }) }),
    model: config.embedding.model,
    dimensions: config.embedding.dimensions,
    batchSize: config.embedding.batchSize,
  });
}

/** The composition root: every service is created here, once, and handed to whoever needs it. */
export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<AppServices> {
  const root = overrides.root ?? process.cwd();
  const clock = overrides.clock ?? systemClock;
  const glossary = await loadGlossary(path.join(config.knowledgeDir, 'glossary.yaml'));
  const tokenizer = new Tokenizer(glossary);
  const embeddings = createEmbeddings(config, overrides);
  const timings = new Timings();
  const knowledge = new KnowledgeService({
    timings,
    indexDir: config.indexDir,
    knowledgeDir: config.knowledgeDir,
    embeddings,
    tokenizer,
    glossaryHash: hashOf(JSON.stringify(glossary)),
    ef: config.retrieval.ef,
    fusion: config.retrieval,
    chunking: config.chunking,
    logger,
  });

  const categories = await Categories.load(path.join(root, 'config/categories.yaml'));
  const examples = await loadRouterExamples(path.join(root, 'config/router-examples.yaml'), categories);
  const prompts = await Prompts.load(path.join(root, 'prompts'));
  const model = config.chat
    ? {
        chat: new ChatModel(
          createOpenAIClient({ ...config.openai, ...(overrides.fetch !== undefined && { fetch: overrides.fetch }) }),
          config.chat.model,
          config.openai.timeoutMs,
        ),
        prompts,
      }
    : undefined;
  const router = new Router(new LocalRouter(examples, glossary), categories, model);
  const answerer = new Answerer({ knowledge, tokenizer, clock, options: config.assistant, model, timings });

  const rosterFile = await resolveConfigFile(config.handoff.rosterFile, path.join(root, 'config/roster.example.yaml'), logger, 'roster');
  const roomsFile = await resolveConfigFile(config.handoff.roomsFile, path.join(root, 'config/rooms.example.yaml'), logger, 'rooms file');
  const roster = await RosterSource.open(rosterFile, roomsFile, logger);

  const db = openSqlite(path.join(config.dataDir, 'rongzhi.db'));
  const tickets = new SqliteTicketStore(db);
  const notifier = new OutboxNotifier(tickets, clock, logger);
  const deskDeps = { store: tickets, roster: () => roster.roster, categories, notifier, clock, logger };
  const desk = new HandoffDesk(deskDeps);
  const sla = new SlaScheduler(deskDeps);
  const store = new InMemoryStore(clock);
  const assistant = new Assistant({
    answerer,
    router,
    categories,
    store,
    questionLog: new SqliteQuestionLog(db),
    clock,
    logger,
    handoff: desk,
    model,
    memoryTtlSeconds: config.assistant.memoryTtlSeconds,
  });
  return {
    config,
    logger,
    clock,
    timings,
    embeddings,
    tokenizer,
    knowledge,
    categories,
    db,
    store,
    roster,
    tickets,
    notifier,
    desk,
    sla,
    assistant,
    async close() {
      sla.stop();
      roster.close();
      db.close();
    },
  };
}
