import type { Retriever, SearchMode } from '../retrieval/knowledge-index.ts';
import { satisfies, type EvalLine } from './eval-file.ts';

export type RetrievalScores = { n: number; 'recall@1': number; 'recall@3': number; 'recall@5': number; mrr: number };
export type RetrievalMiss = { line: number; question: string; firstHitRank: number | null; top: string[] };

const DEPTH = 10;

/** Hit testing: where does the first passage containing the expected facts rank? */
export async function evaluateRetrieval(
  retriever: Retriever,
  lines: EvalLine[],
  mode: SearchMode = 'hybrid',
): Promise<{ scores: RetrievalScores; misses: RetrievalMiss[]; ranks: { line: number; question: string; rank: number | null }[] }> {
  const labelled = lines.filter((line) => line.expect?.length);
  const ranks: (number | null)[] = [];
  const perLine: { line: number; question: string; rank: number | null }[] = [];
  const misses: RetrievalMiss[] = [];
  for (const line of labelled) {
    const hits = await retriever.search(line.question, { k: DEPTH, mode });
    const position = hits.findIndex((hit) => satisfies(hit.chunk.text, line.expect!));
    const rank = position >= 0 ? position + 1 : null;
    ranks.push(rank);
    perLine.push({ line: line.line, question: line.question, rank });
    if (rank === null || rank > 5) {
      misses.push({
        line: line.line,
        question: line.question,
        firstHitRank: rank,
        top: hits.slice(0, 3).map((hit) => `${hit.chunk.title} · ${hit.chunk.section || '—'}`),
      });
    }
  }
  const n = ranks.length;
  const share = (k: number) => (n ? ranks.filter((rank) => rank !== null && rank <= k).length / n : 0);
  const mrr = n ? ranks.reduce<number>((sum, rank) => sum + (rank ? 1 / rank : 0), 0) / n : 0;
  return {
    scores: { n, 'recall@1': round(share(1)), 'recall@3': round(share(3)), 'recall@5': round(share(5)), mrr: round(mrr) },
    misses,
    ranks: perLine,
  };
}

export type RankChange = { line: number; question: string; before: number | null; after: number | null };

/** What got better and what got worse between two evaluations of the same lines (a rank in the top 10, or none). */
export function compareRanks(before: { line: number; question: string; rank: number | null }[], after: { line: number; rank: number | null }[]): { better: RankChange[]; worse: RankChange[] } {
  const value = (rank: number | null) => rank ?? Number.POSITIVE_INFINITY;
  const better: RankChange[] = [];
  const worse: RankChange[] = [];
  for (const old of before) {
    const updated = after.find((candidate) => candidate.line === old.line);
    if (!updated) continue;
    const change = { line: old.line, question: old.question, before: old.rank, after: updated.rank };
    if (value(updated.rank) < value(old.rank)) better.push(change);
    else if (value(updated.rank) > value(old.rank)) worse.push(change);
  }
  return { better, worse };
}

export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
