import type OpenAI from 'openai';
import { toUpstreamError } from './openai-client.ts';

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** A chat model on any OpenAI-compatible server: streamed text, or one JSON reply. */
export class ChatModel {
  constructor(
    private readonly client: OpenAI,
    readonly model: string,
    private readonly timeoutMs: number,
  ) {}

  /** Streams the reply's text. Retries (SDK) apply until the stream has started. */
  async *stream(messages: ChatMessage[], signal?: AbortSignal): AsyncGenerator<string> {
    let stream;
    try {
      stream = await this.client.chat.completions.create(
        { model: this.model, messages, stream: true, temperature: 0.2 },
        { timeout: this.timeoutMs, ...(signal !== undefined && { signal }) },
      );
    } catch (error) {
      throw toUpstreamError(error, `Chat completion with ${this.model}`);
    }
    try {
      for await (const chunk of stream) {
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) yield text;
      }
    } catch (error) {
      throw toUpstreamError(error, `Streaming from ${this.model}`);
    }
  }

  /** One complete reply, asking for a JSON object. */
  async completeJson(messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
    try {
      const response = await this.client.chat.completions.create(
        { model: this.model, messages, temperature: 0, response_format: { type: 'json_object' } },
        { timeout: this.timeoutMs, ...(signal !== undefined && { signal }) },
      );
      return response.choices?.[0]?.message?.content ?? '';
    } catch (error) {
      throw toUpstreamError(error, `Chat completion with ${this.model}`);
    }
  }

  /** One complete plain-text reply. */
  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<string> {
    try {
      const response = await this.client.chat.completions.create(
        { model: this.model, messages, temperature: 0 },
        { timeout: this.timeoutMs, ...(signal !== undefined && { signal }) },
      );
      return response.choices?.[0]?.message?.content ?? '';
    } catch (error) {
      throw toUpstreamError(error, `Chat completion with ${this.model}`);
    }
  }
}
