/** A range for the tau slider and its histogram, and the scores counted into bins over it. */
export interface ScoreRange {
  min: number;
  max: number;
}

const STEP = 0.05;

/**
 * The slider's range: the scores shown (and the threshold, so its line stays on the scale), widened by one step
 * and rounded out to 0.05, within cosine similarity's [-1, 1]. A slider over [-1, 1] puts ten results that all
 * score 0.6–0.8 into a few pixels.
 */
export function scoreRange(scores: readonly number[], tau: number | null): ScoreRange {
  const values = tau === null ? [...scores] : [...scores, tau];
  if (values.length === 0) return { min: -1, max: 1 };
  const lo = Math.max(-1, Math.floor((Math.min(...values) - STEP) / STEP) * STEP);
  const hi = Math.min(1, Math.ceil((Math.max(...values) + STEP) / STEP) * STEP);
  // Rounded to 2 decimals: 0.05 steps accumulate float noise (0.30000000000000004) that a range input shows.
  return { min: round2(lo), max: round2(Math.max(hi, lo + STEP)) };
}

/** How many scores fall in each of `bins` equal bins over the range (the top edge belongs to the last bin). */
export function histogram(scores: readonly number[], range: ScoreRange, bins = 20): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (range.max - range.min) / bins;
  for (const s of scores) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((s - range.min) / width)));
    counts[i]++;
  }
  return counts;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
