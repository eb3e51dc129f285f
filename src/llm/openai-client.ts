import OpenAI from 'openai';
import type { Config } from '../config.ts';
import { UpstreamError } from '../errors.ts';

/**
 * One OpenAI SDK client for every OpenAI-compatible call. The SDK retries 408/409/429/5xx with
 * exponential backoff (honouring Retry-After) up to `maxRetries` times.
 */
export function createOpenAIClient(options: Config['openai'] & { fetch?: typeof fetch }): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey ?? 'not-set',
    ...(options.baseURL !== undefined && { baseURL: options.baseURL }),
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    ...(options.fetch !== undefined && { fetch: options.fetch }),
  });
}

/** Maps SDK errors to the application's taxonomy, keeping status and retryability. */
export function toUpstreamError(error: unknown, what: string): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new UpstreamError(`${what} timed out`, { retryable: true, cause: error });
  }
  if (error instanceof OpenAI.APIError) {
    return new UpstreamError(`${what} failed with HTTP ${error.status ?? 'error'}: ${error.message}`, {
      ...(error.status !== undefined && { status: error.status }),
      cause: error,
    });
  }
  return new UpstreamError(`${what} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
