import type { Chunk } from '../knowledge/document.ts';

export type RankedList = { weight: number; indices: number[] };

/**
 * Reciprocal-rank fusion: each list adds weight / (k + rank) for every item it ranks (rank from 1).
 * Scores from different retrievers are not comparable; ranks are.
 */
export function reciprocalRankFusion(lists: RankedList[], k = 60): { index: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.indices.forEach((index, position) => {
      scores.set(index, (scores.get(index) ?? 0) + list.weight / (k + position + 1));
    });
  }
  return [...scores]
    .map(([index, score]) => ({ index, score }))
    .sort((a, b) => b.score - a.score || a.index - b.index);
}

/** True when two chunks of the same document share sentences (neighbours repeat their overlap). */
export function chunksOverlap(a: Chunk, b: Chunk): boolean {
  return a.source === b.source && a.sentenceStart <= b.sentenceEnd && b.sentenceStart <= a.sentenceEnd;
}

/** Keeps the first of any ranked chunks that overlap, so one passage does not fill two places. */
export function dropOverlapping<T extends { chunk: Chunk }>(ranked: T[]): T[] {
  const kept: T[] = [];
  for (const candidate of ranked) {
    if (!kept.some((hit) => chunksOverlap(hit.chunk, candidate.chunk))) kept.push(candidate);
  }
  return kept;
}

/** Restricts search to some documents or tags (a community, a topic). Empty means no restriction. */
export type SearchFilter = { sources?: string[]; tags?: string[] };

export function matchesFilter(chunk: Chunk, filter: SearchFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.sources?.length && !filter.sources.includes(chunk.source)) return false;
  if (filter.tags?.length && !filter.tags.some((tag) => chunk.tags.includes(tag))) return false;
  return true;
}
