import path from 'node:path';
import type { Config } from './config.ts';
import { loadGlossary } from './knowledge/glossary.ts';
import { createOpenAIClient } from './llm/openai-client.ts';
import type { Logger } from './logger.ts';
import type { IdentifiedEmbeddings } from './retrieval/embedder.ts';
import { hashOf } from './retrieval/index-store.ts';
import { KnowledgeService } from './retrieval/knowledge-service.ts';
import { LocalHashEmbeddings } from './retrieval/local-embedder.ts';
import { OpenAICompatibleEmbeddings } from './retrieval/openai-embedder.ts';
import { Tokenizer } from './retrieval/tokenizer.ts';

export type AppServices = {
  config: Config;
  logger: Logger;
  embeddings: IdentifiedEmbeddings;
  tokenizer: Tokenizer;
  knowledge: KnowledgeService;
};

export type AppOverrides = { embeddings?: IdentifiedEmbeddings; fetch?: typeof fetch };

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
  const glossary = await loadGlossary(path.join(config.knowledgeDir, 'glossary.yaml'));
  const tokenizer = new Tokenizer(glossary);
  const embeddings = createEmbeddings(config, overrides);
  const knowledge = new KnowledgeService({
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
  return { config, logger, embeddings, tokenizer, knowledge };
}
