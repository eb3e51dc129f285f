import type { Reply, InboundMessage } from '../assistant/types.ts';
import { AppError } from '../errors.ts';

/** Where a channel sends: a group (by id, or by title when the id is not known) or a person. */
export type OutboundAddress =
  | { kind: 'group'; conversationId: string; title?: string | undefined; mentions?: string[] }
  | { kind: 'direct'; userId: string };

/** The channel cannot reach that address (no such room, no direct messages on this channel). */
export class Unreachable extends AppError {
  constructor(message: string) {
    super('unreachable', message);
  }
}

export type MessageHandler = (message: InboundMessage) => Promise<void>;

/**
 * One messaging protocol. Channels know protocols, never business rules: they turn platform
 * messages into InboundMessages and send text where they are told.
 */
export interface Channel {
  readonly name: string;
  /** Which roster address book identifies people on this channel (WeCom channels share userids). */
  readonly addressBook: string;
  /** Longest text one message may carry, in characters. */
  readonly maxMessageLength: number;
  start(onMessage: MessageHandler): Promise<void>;
  stop(): Promise<void>;
  send(to: OutboundAddress, reply: Reply): Promise<void>;
}
