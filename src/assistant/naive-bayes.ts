/** Multinomial naive Bayes with Laplace smoothing and uniform class priors. */
export class NaiveBayes<Label extends string> {
  private readonly counts = new Map<Label, Map<string, number>>();
  private readonly totals = new Map<Label, number>();
  private readonly vocabulary = new Set<string>();

  constructor(private readonly alpha = 0.5) {}

  add(label: Label, features: string[]): void {
    const counts = this.counts.get(label) ?? new Map<string, number>();
    this.counts.set(label, counts);
    for (const feature of features) {
      counts.set(feature, (counts.get(feature) ?? 0) + 1);
      this.vocabulary.add(feature);
    }
    this.totals.set(label, (this.totals.get(label) ?? 0) + features.length);
  }

  get labels(): Label[] {
    return [...this.counts.keys()];
  }

  /** Posterior probability of each label; features never seen in training are ignored. */
  predict(features: string[]): { label: Label; probability: number; probabilities: Record<string, number> } {
    const known = features.filter((feature) => this.vocabulary.has(feature));
    const size = this.vocabulary.size;
    const logs = this.labels.map((label) => {
      const counts = this.counts.get(label)!;
      const denominator = Math.log((this.totals.get(label) ?? 0) + this.alpha * size);
      let score = 0;
      for (const feature of known) score += Math.log((counts.get(feature) ?? 0) + this.alpha) - denominator;
      return { label, score };
    });
    const max = Math.max(...logs.map((entry) => entry.score));
    const exps = logs.map((entry) => ({ label: entry.label, value: Math.exp(entry.score - max) }));
    const sum = exps.reduce((total, entry) => total + entry.value, 0);
    const probabilities = Object.fromEntries(exps.map((entry) => [entry.label, entry.value / sum]));
    const best = exps.reduce((a, b) => (b.value > a.value ? b : a));
    return { label: best.label, probability: best.value / sum, probabilities };
  }
}
