export type WorkerCommand =
  | { kind: 'accept'; ticketId: number }
  | { kind: 'reply'; ticketId: number; text: string }
  | { kind: 'transfer'; ticketId: number; target: string }
  | { kind: 'resolve'; ticketId: number }
  | { kind: 'mine' };

// "#1024 已完成", "#1024 已经接单了": said as done, it is the same command; so is "#1024 接了" ("#1024 接待一下" is not).
const ACTION = String.raw`(?:已经?)?(接单|接(?=[了啦]?[。！!.~～]*$)|回复|转办|转|完成|办结)\s*([\s\S]*)$`;
const COMMAND = new RegExp(String.raw`^[#＃]\s*(\d+)\s*${ACTION}`);
/** Typed from memory: without "#" before a whole ticket number ("1024 接单"), or the action first ("接单 #1024"). */
const WITHOUT_HASH = new RegExp(String.raw`^(\d{4,})\s*${ACTION}`);
const ACTION_FIRST = /^(接单|完成|办结)\s*(?:[#＃]\s*(\d+)|(\d{4,}))$/;
/** What a phone or a habit adds after a command word ("#1024 完成。", "#1024 完成了"). */
const TRAILING = /[了啦]?[。！!.~～]*$/;

/** "#1024 好的，马上去": a ticket number and words that are no command, most likely meant for the requester. */
const NUMBER_AND_WORDS = /^[#＃]\s*(\d+)\s*[,，:：]?\s*(?!(?:已经?)?(?:接单|回复|转|完成|办结))(\p{Script=Han}[\s\S]*)$/u;

export function wordsForTicket(text: string): { ticketId: number; text: string } | undefined {
  const match = NUMBER_AND_WORDS.exec(text.trim());
  return match && parseWorkerCommand(text) === 'malformed' ? { ticketId: Number(match[1]), text: match[2]!.trim() } : undefined;
}

/**
 * Parses a worker command, the same on every channel: `#1024 接单`, `#1024 回复 <内容>`,
 * `#1024 转 <工号或姓名>`, `#1024 完成`, `我的工单`. Returns 'malformed' for something that starts like
 * a command but is not one, and undefined for ordinary text.
 */
export function parseWorkerCommand(text: string): WorkerCommand | 'malformed' | undefined {
  const trimmed = text.trim();
  if (/^我的工单[。！!]?$/.test(trimmed)) return { kind: 'mine' };
  const first = ACTION_FIRST.exec(trimmed.replace(TRAILING, ''));
  if (first) return { kind: first[1] === '接单' ? 'accept' : 'resolve', ticketId: Number(first[2] ?? first[3]) };
  const match = COMMAND.exec(trimmed) ?? WITHOUT_HASH.exec(trimmed);
  if (!match) return /^[#＃]\s*\d+/.test(trimmed) ? 'malformed' : undefined;
  const ticketId = Number(match[1]);
  const rest = (match[3] ?? '').trim();
  switch (match[2]) {
    case '接单':
    case '接':
      return rest.replace(TRAILING, '') ? 'malformed' : { kind: 'accept', ticketId };
    case '回复':
      return { kind: 'reply', ticketId, text: rest };
    case '转':
    case '转办':
      return rest ? { kind: 'transfer', ticketId, target: rest } : 'malformed';
    default:
      return rest.replace(TRAILING, '') ? 'malformed' : { kind: 'resolve', ticketId };
  }
}
