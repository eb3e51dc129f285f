import { replyTo, type HandoffHandler, type MessageContext } from './assistant.ts';
import { replies } from './replies.ts';

/**
 * Privacy for service requests raised in a group: a sensitive topic gets one line in the group
 * that reveals nothing, and the conversation continues in a direct chat.
 */
export function moveSensitiveToDirect(ctx: MessageContext): boolean {
  const { message, services, result } = ctx;
  if (message.conversation.kind !== 'group' || !services.categories.isSensitive(result.category)) return false;
  result.replies.push(replyTo(ctx, { text: replies.movedToDirect }));
  return true;
}

/** Used when no ticket desk is wired: says honestly how to reach a person. */
export const contactOnlyHandoff: HandoffHandler = {
  async handle(ctx) {
    const label = ctx.services.categories.label(ctx.result.category ?? 'other');
    const direct = moveSensitiveToDirect(ctx);
    const text = `${direct ? replies.directOpening : ''}${replies.handoffIntro(label)}可以到工业邻里中心的党群服务中心，或联系所在产业社区的社区工作者。`;
    ctx.result.answer = direct ? replies.movedToDirect : text;
    ctx.result.replies.push(replyTo(ctx, { text, direct }));
    ctx.answered = true;
    ctx.emit({ type: 'text-delta', text: ctx.result.answer });
  },
};
