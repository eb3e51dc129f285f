import { renderCitations } from '../assistant/grounding.ts';
import type { Reply } from '../assistant/types.ts';

/**
 * The texts to send for a reply: the answer cut at sentence or line ends into pieces that fit the
 * channel, with the citations last. A piece is only cut mid-sentence when a sentence alone is too long.
 */
export function splitReply(reply: Reply, maxLength: number): string[] {
  const citations = renderCitations(reply.citations ?? []);
  const whole = citations ? `${reply.text}\n${citations}` : reply.text;
  if (whole.length <= maxLength) return [whole];
  const pieces: string[] = [];
  let current = '';
  const units = reply.text.match(/[^。！？；\n]*(?:[。！？；]+[”’"）)]*|\n|$)/g)?.filter(Boolean) ?? [reply.text];
  for (const unit of units) {
    for (let start = 0; start < unit.length; start += maxLength) {
      const part = unit.slice(start, start + maxLength);
      if (current.length + part.length > maxLength) {
        pieces.push(current.trim());
        current = '';
      }
      current += part;
    }
  }
  if (current.trim()) pieces.push(current.trim());
  if (citations) {
    const last = pieces[pieces.length - 1] ?? '';
    if (last.length + 1 + citations.length <= maxLength) pieces[pieces.length - 1] = `${last}\n${citations}`;
    else pieces.push(citations.length <= maxLength ? citations : citations.slice(0, maxLength));
  }
  return pieces.filter(Boolean);
}
