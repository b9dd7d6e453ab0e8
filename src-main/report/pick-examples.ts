import { rankOfTrueMatch } from '../ml/metrics/retrieval-metrics.ts';

/** One result shown under an example query: a gallery item by index. */
export interface ExampleResult {
  gallery: number;
  rank: number;
  score: number;
  /** score ≥ tau; null without a threshold (an uncalibrated run): no verdict. */
  match: boolean | null;
  /** This is the query's true pair. */
  isTrue: boolean;
}

/** One example query (query index = its pair's index; gallery index i is pair i's other image). */
export interface ExampleQuery {
  query: number;
  /** Rank of the true pair, counting ties against it as the metrics do. */
  trueRank: number;
  trueScore: number;
  results: ExampleResult[];
  /** The true pair's own entry, to show after the results when it ranks below them. */
  truePair: ExampleResult;
}

/** Options of {@link pickExamples}. */
export interface PickExamplesOptions {
  /** How many queries to show at most (default 8). */
  max?: number;
  /** Results per query (default 5). */
  top?: number;
}

/**
 * Picks the example queries of a report: every query ranked against the whole gallery, misses (true pair not at
 * rank 1) first — worst rank first, since those are what a reader needs to see — then hits, least confident first.
 * In each result list, items that tie with the true pair are listed before it, as the pessimistic rank counts them.
 */
export function pickExamples(n: number, similarity: (q: number, g: number) => number, tau: number | null, opts: PickExamplesOptions = {}): ExampleQuery[] {
  const max = opts.max ?? 8;
  const top = opts.top ?? 5;
  const all: ExampleQuery[] = [];
  const row = new Float64Array(n);
  for (let q = 0; q < n; q++) {
    for (let g = 0; g < n; g++) row[g] = similarity(q, g);
    const order = Array.from({ length: n }, (_, g) => g).sort((a, b) => row[b] - row[a] || (a === q ? 1 : b === q ? -1 : a - b));
    const trueRank = rankOfTrueMatch(row, q);
    all.push({
      query: q,
      trueRank,
      trueScore: row[q],
      results: order.slice(0, top).map((g, i) => ({ gallery: g, rank: i + 1, score: row[g], match: tau === null ? null : row[g] >= tau, isTrue: g === q })),
      truePair: { gallery: q, rank: trueRank, score: row[q], match: tau === null ? null : row[q] >= tau, isTrue: true },
    });
  }
  const misses = all.filter((e) => e.trueRank > 1).sort((a, b) => b.trueRank - a.trueRank || a.query - b.query);
  const hits = all.filter((e) => e.trueRank === 1).sort((a, b) => a.trueScore - b.trueScore || a.query - b.query);
  return [...misses, ...hits].slice(0, max);
}
