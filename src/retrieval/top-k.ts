export type ScoredIndex = { index: number; score: number };

/**
 * The k highest scores of `scores[0..count)`, best first (ties: lower index), skipping documents
 * `accept` refuses. A document the query does not reach (score 0) is never a hit. One pass with a
 * min-heap of the best k, so most documents cost one comparison with the lowest score kept.
 */
export function bestOf(scores: Float64Array, count: number, k: number, accept?: (index: number) => boolean): ScoredIndex[] {
  if (k <= 0) return [];
  const heapIndex = new Int32Array(k);
  const heapScore = new Float64Array(k);
  let size = 0;
  // Documents come in index order, so of equal scores the one already kept (lower index) stays.
  const lower = (a: number, b: number) => heapScore[a]! < heapScore[b]! || (heapScore[a] === heapScore[b] && heapIndex[a]! > heapIndex[b]!);
  const swap = (a: number, b: number) => {
    const index = heapIndex[a]!;
    const score = heapScore[a]!;
    heapIndex[a] = heapIndex[b]!;
    heapScore[a] = heapScore[b]!;
    heapIndex[b] = index;
    heapScore[b] = score;
  };
  for (let index = 0; index < count; index++) {
    const score = scores[index]!;
    if (score === 0 || (size === k && score <= heapScore[0]!)) continue;
    if (accept && !accept(index)) continue;
    if (size < k) {
      heapIndex[size] = index;
      heapScore[size] = score;
      for (let i = size++; i > 0 && lower(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      continue;
    }
    heapIndex[0] = index;
    heapScore[0] = score;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < size && lower(left, smallest)) smallest = left;
      if (right < size && lower(right, smallest)) smallest = right;
      if (smallest === i) break;
      swap(i, smallest);
      i = smallest;
    }
  }
  const best: ScoredIndex[] = [];
  for (let i = 0; i < size; i++) best.push({ index: heapIndex[i]!, score: heapScore[i]! });
  return best.sort((a, b) => b.score - a.score || a.index - b.index);
}
