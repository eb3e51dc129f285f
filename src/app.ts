import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Answerer } from './assistant/answerer.ts';
import { Assistant } from './assistant/assistant.ts';
import { Categories } from './assistant/categories.ts';
import { LocalRouter, loadRouterExamples } from './assistant/local-router.ts';
import { UrgentSituations } from './assistant/urgent.ts';
import type { KeyValueStore } from './assistant/memory.ts';
import { SqlQuestionLog } from './assistant/question-log.ts';
import { Router } from './assistant/router.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { HandoffDesk } from './handoff/desk.ts';
import { OutboxNotifier } from './handoff/notifier.ts';
import { resolveConfigFile, RosterSource } from './handoff/roster.ts';
import { SlaScheduler } from './handoff/sla.ts';
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
import type { Cluster } from './storage/cluster.ts';
import { Lease, LeaseKeeper, type LeaseDuties } from './storage/lease.ts';
import { instanceIdOf, openShared, openStorage } from './storage/open.ts';
import { settingOnce, type SqlDatabase } from './storage/sql.ts';

export type AppServices = {
  config: Config;
  logger: Logger;
  clock: Clock;
  timings: Timings;
  embeddings: IdentifiedEmbeddings;
  tokenizer: Tokenizer;
  knowledge: KnowledgeService;
  categories: Categories;
  /** This process's name among the instances sharing the database. */
  instanceId: string;
  /** The app's database (SQLite, or PostgreSQL with DATABASE_URL); tickets live there too. */
  sql: SqlDatabase;
  /** Signs the chat page's visitor cookies: SESSION_SECRET, or one made once and kept in the database. */
  visitorSecret: string;
  /** Short-lived shared state (memory, or Redis with REDIS_URL). */
  store: KeyValueStore;
  cluster: Cluster;
  roster: RosterSource;
  tickets: TicketStore;
  notifier: OutboxNotifier;
  desk: HandoffDesk;
  sla: SlaScheduler;
  assistant: Assistant;
  /** Does `duties` only while this instance holds the named lease (exactly one instance at a time). */
  keepLease(name: string, duties: LeaseDuties): LeaseKeeper;
  close(): Promise<void>;
};

export type AppOverrides = {
  embeddings?: IdentifiedEmbeddings;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Where config/ and prompts/ live (default: the working directory). */
  root?: string;
  /**
   * Answers like the configured app, from its index, but writes to a database and shared state in
   * memory: an evaluation's requests open no ticket that reaches a worker, and leave nothing behind.
   */
  scratch?: boolean;
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
  const urgent = await UrgentSituations.load(path.join(root, 'config/urgent.yaml'), categories);
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
  const router = new Router(new LocalRouter(examples, glossary, tokenizer, categories), categories, model);
  const answerer = new Answerer({ knowledge, tokenizer, clock, options: config.assistant, model, timings });

  const rosterFile = await resolveConfigFile(config.handoff.rosterFile, path.join(root, 'config/roster.example.yaml'), logger, 'roster');
  const roomsFile = await resolveConfigFile(config.handoff.roomsFile, path.join(root, 'config/rooms.example.yaml'), logger, 'rooms file');
  const roster = await RosterSource.open(rosterFile, roomsFile, logger);

  const instanceId = instanceIdOf(config);
  const scratch = { scratch: overrides.scratch ?? false };
  const storage = await openStorage(config, logger, scratch);
  const shared = await openShared(config, instanceId, clock, logger, scratch).catch(async (error) => {
    await storage.close();
    throw error;
  });
  const { sql, tickets } = storage;
  // Without SESSION_SECRET, a secret of the database's own: visitor cookies outlive a restart and hold
  // on every instance, and with them the visitor's claim to their conversation.
  const visitorSecret = config.web.sessionSecret ?? (await settingOnce(sql, 'visitor-cookie-secret', () => randomBytes(32).toString('hex')));
  const { store, cluster } = shared;
  const notifier = new OutboxNotifier(tickets, clock, logger);
  const deskDeps = { store: tickets, roster: () => roster.roster, categories, notifier, clock, logger };
  const desk = new HandoffDesk(deskDeps);
  const sla = new SlaScheduler(deskDeps);
  const assistant = new Assistant({
    answerer,
    router,
    tokenizer,
    categories,
    urgent,
    store,
    questionLog: new SqlQuestionLog(sql),
    clock,
    logger,
    handoff: desk,
    model,
    memoryTtlSeconds: config.assistant.memoryTtlSeconds,
  });
  // Instances tell each other about a new index or roster; a new index is loaded from the shared
  // index directory, where it was published complete before it was announced.
  knowledge.onPublished((index) => void cluster.publish({ type: 'index', contentHash: index.manifest.contentHash }).catch((error) => logger.warn({ err: error }, 'index announcement failed')));
  cluster.subscribe((event) => {
    if (event.type === 'index') void knowledge.follow(event.contentHash).catch((error) => logger.error({ err: error }, 'announced knowledge index could not be loaded: serving the previous one'));
    else if (event.type === 'roster') void roster.reload();
  });
  const keepers: LeaseKeeper[] = [];
  return {
    config,
    logger,
    clock,
    timings,
    embeddings,
    tokenizer,
    knowledge,
    categories,
    instanceId,
    sql,
    visitorSecret,
    store,
    cluster,
    roster,
    tickets,
    notifier,
    desk,
    sla,
    assistant,
    keepLease(name, duties) {
      const keeper = new LeaseKeeper(new Lease(sql, name, instanceId, config.scale.leaseSeconds * 1000, clock), duties, { clock, logger });
      keepers.push(keeper);
      return keeper;
    },
    async close() {
      for (const keeper of keepers.splice(0)) await keeper.stop();
      sla.stop();
      roster.close();
      await shared.close();
      await storage.close();
    },
  };
}
