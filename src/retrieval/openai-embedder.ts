import { Embeddings } from '@langchain/core/embeddings';
import type OpenAI from 'openai';
import { UpstreamError } from '../errors.ts';
import { toUpstreamError } from '../llm/openai-client.ts';
import type { IdentifiedEmbeddings } from './embedder.ts';

export type OpenAIEmbedderOptions = {
  client: OpenAI;
  model: string;
  /** Expected vector length; when unset, the first response fixes it. */
  dimensions?: number | undefined;
  batchSize?: number;
};

/** Embeddings from any OpenAI-compatible `/embeddings` endpoint, in batches, with the SDK's retries. */
export class OpenAICompatibleEmbeddings extends Embeddings implements IdentifiedEmbeddings {
  readonly id: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly batchSize: number;
  private knownDimensions: number | undefined;

  constructor(options: OpenAIEmbedderOptions) {
    super({});
    this.client = options.client;
    this.model = options.model;
    this.batchSize = options.batchSize ?? 64;
    this.knownDimensions = options.dimensions;
    this.id = `openai:${options.model}`;
  }

  get dimensions(): number | undefined {
    return this.knownDimensions;
  }

  override async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  override async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedBatch([text]);
    return vector!;
  }

  private async embedBatch(input: string[]): Promise<number[][]> {
    let response: OpenAI.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create({ model: this.model, input, encoding_format: 'float' });
    } catch (error) {
      throw toUpstreamError(error, `Embedding ${input.length} text(s) with ${this.model}`);
    }
    const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== input.length) {
      throw new UpstreamError(`The embedding server returned ${data.length} vectors for ${input.length} texts`, { retryable: false });
    }
    return data.map((item) => {
      const vector = item.embedding;
      if (!Array.isArray(vector) || vector.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
        throw new UpstreamError('The embedding server returned a vector that is not a list of numbers', { retryable: false });
      }
      this.knownDimensions ??= vector.length;
      if (vector.length !== this.knownDimensions) {
        throw new UpstreamError(
          `The embedding model ${this.model} returned ${vector.length} dimensions, expected ${this.knownDimensions}: check EMBEDDING_MODEL and EMBEDDING_DIMENSIONS`,
          { retryable: false },
        );
      }
      return vector;
    });
  }
}
