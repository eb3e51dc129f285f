import { describe, expect, it } from 'vitest';
import { InMemoryStore } from '../../src/assistant/memory.ts';
import { RateLimiter } from '../../src/channels/rate-limit.ts';
import { splitReply } from '../../src/channels/split.ts';
import { ManualClock } from '../../src/clock.ts';

describe('rate limits', () => {
  it('allows the limit, warns once, then stays silent until the window passes, per key', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(new InMemoryStore(clock), clock, 3, 60_000);
    const verdicts = [];
    for (const key of ['a', 'a', 'a', 'a', 'a']) verdicts.push(await limiter.check(key));
    expect(verdicts).toEqual(['allow', 'allow', 'allow', 'warn', 'silent']);
    expect(await limiter.check('group-2')).toBe('allow');
    clock.advance(60_000);
    expect(await limiter.check('a')).toBe('allow');
  });
});

describe('splitting replies', () => {
  it('keeps a short reply whole with its citations, and cuts a long one at sentence ends', () => {
    const citations = [{ n: 1, title: '工业邻里中心', source: 'x.md', section: '房源', excerpt: '…' }];
    expect(splitReply({ text: '可提供14108间房源[1]。', citations }, 100)).toEqual(['可提供14108间房源[1]。\n来源：[1]《工业邻里中心》 · 房源']);
    const pieces = splitReply({ text: '第一句话比较长一些。第二句话也比较长。第三句话同样很长。', citations }, 22);
    expect(pieces.slice(0, 2)).toEqual(['第一句话比较长一些。第二句话也比较长。', '第三句话同样很长。']);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(22);
    expect(pieces.at(-1)).toBe('来源：[1]《工业邻里中心》 · 房源');
  });
});
