/** Multinomial naive Bayes with Laplace smoothing and uniform class priors. */
export class NaiveBayes<Label extends string> {
  private readonly counts = new Map<Label, Map<string, number>>();
  private readonly totals = new Map<Label, number>();
  private readonly vocabulary = new Set<string>();
  /** Per known feature, each label's log-likelihood term (in `labels` order); built at the first prediction after training. */
  private logLikelihoods: Map<string, Float64Array> | undefined;

  constructor(private readonly alpha = 0.5) {}

  add(label: Label, features: string[]): void {
    const counts = this.counts.get(label) ?? new Map<string, number>();
    this.counts.set(label, counts);
    for (const feature of features) {
      counts.set(feature, (counts.get(feature) ?? 0) + 1);
      this.vocabulary.add(feature);
    }
    this.totals.set(label, (this.totals.get(label) ?? 0) + features.length);
    this.logLikelihoods = undefined;
  }

  get labels(): Label[] {
    return [...this.counts.keys()];
  }

  /** Posterior probability of each label; features never seen in training are ignored. */
  predict(features: string[]): { label: Label; probability: number; probabilities: Record<string, number> } {
    const labels = this.labels;
    const table = this.table(labels);
    const scores = new Float64Array(labels.length);
    for (const feature of features) {
      const terms = table.get(feature);
      if (terms) for (let i = 0; i < labels.length; i++) scores[i]! += terms[i]!;
    }
    const logs = labels.map((label, i) => ({ label, score: scores[i]! }));
    const max = Math.max(...logs.map((entry) => entry.score));
    const exps = logs.map((entry) => ({ label: entry.label, value: Math.exp(entry.score - max) }));
    const sum = exps.reduce((total, entry) => total + entry.value, 0);
    const probabilities = Object.fromEntries(exps.map((entry) => [entry.label, entry.value / sum]));
    const best = exps.reduce((a, b) => (b.value > a.value ? b : a));
    return { label: best.label, probability: best.value / sum, probabilities };
  }

  private table(labels: Label[]): Map<string, Float64Array> {
    if (this.logLikelihoods) return this.logLikelihoods;
    const size = this.vocabulary.size;
    const denominators = labels.map((label) => Math.log((this.totals.get(label) ?? 0) + this.alpha * size));
    this.logLikelihoods = new Map();
    for (const feature of this.vocabulary) {
      this.logLikelihoods.set(feature, Float64Array.from(labels, (label, i) => Math.log((this.counts.get(label)!.get(feature) ?? 0) + this.alpha) - denominators[i]!));
    }
    return this.logLikelihoods;
  }
}
