import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.ts';
import { createOpenAIClient } from '../../src/llm/openai-client.ts';
import { OpenAICompatibleEmbeddings } from '../../src/retrieval/openai-embedder.ts';
import { FakeOpenAIServer } from '../fakes/openai-server.ts';

describe('OpenAI-compatible embedder over HTTP', () => {
  let server: FakeOpenAIServer;
  beforeEach(async () => {
    server = await new FakeOpenAIServer({ dimensions: 16 }).start();
  });
  afterEach(() => server.stop());

  const embedder = (options: { dimensions?: number; batchSize?: number; maxRetries?: number } = {}) =>
    new OpenAICompatibleEmbeddings({
      client: createOpenAIClient({ apiKey: 'test-key', baseURL: server.baseURL, timeoutMs: 5000, maxRetries: options.maxRetries ?? 2 }),
      model: 'bge-m3',
      dimensions: options.dimensions,
      batchSize: options.batchSize ?? 3,
    });

  it('sends texts in batches, with the key and model, and keeps the order', async () => {
    const texts = ['邻里中心', '房源', '党群服务中心', '医药港', '大创小镇', '社区工作者', '驿站'];
    const vectors = await embedder().embedDocuments(texts);
    const requests = server.requestsTo('/v1/embeddings');
    expect(requests.map((request) => request.body.input)).toEqual([texts.slice(0, 3), texts.slice(3, 6), texts.slice(6)]);
    expect(requests[0]!.body.model).toBe('bge-m3');
    expect(requests[0]!.headers.authorization).toBe('Bearer test-key');
    expect(vectors).toHaveLength(7);
    texts.forEach((text, i) => expect(vectors[i]).toEqual(FakeOpenAIServer.vectorFor(text, 16)));
  });

  it('retries after a 429 and then succeeds', async () => {
    server.enqueue('/v1/embeddings', { kind: 'status', status: 429, headers: { 'retry-after-ms': '10' } });
    const [vector] = await embedder().embedDocuments(['房源']);
    expect(vector).toEqual(FakeOpenAIServer.vectorFor('房源', 16));
    expect(server.requestsTo('/v1/embeddings')).toHaveLength(2);
  });

  it('retries a 503 but gives up with a retryable UpstreamError when retries run out', async () => {
    server.enqueue('/v1/embeddings', ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503, headers: { 'retry-after-ms': '5' } })));
    const error = await embedder({ maxRetries: 2 }).embedQuery('房源').catch((caught) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(server.requestsTo('/v1/embeddings')).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    server.enqueue('/v1/embeddings', { kind: 'status', status: 400, body: { error: { message: 'bad model', type: 'invalid_request_error' } } });
    const error = await embedder().embedQuery('房源').catch((caught) => caught);
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect(server.requestsTo('/v1/embeddings')).toHaveLength(1);
  });

  it('refuses vectors of the wrong dimension', async () => {
    await expect(embedder({ dimensions: 1024 }).embedQuery('房源')).rejects.toThrow(/returned 16 dimensions, expected 1024/);
    const learning = embedder();
    await learning.embedQuery('房源');
    expect(learning.dimensions).toBe(16);
    server.enqueue('/v1/embeddings', { kind: 'dimensions', dimensions: 8 });
    await expect(learning.embedQuery('医药港')).rejects.toThrow(/returned 8 dimensions, expected 16/);
  });
});
