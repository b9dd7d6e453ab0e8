import { createHash } from 'node:crypto';
import type { Split } from '../../src-shared/catalog-types.ts';

/** Default train/val/test proportions (the original notebook had 80/20 and no test split). */
export const DEFAULT_SPLIT_RATIOS: Readonly<Record<Split, number>> = { train: 0.8, val: 0.1, test: 0.1 };

const SPLITS: readonly Split[] = ['train', 'val', 'test'];

function hashOf(name: string, seed: number): string {
  return createHash('sha256').update(`${seed}\0${name}`).digest('hex');
}

/**
 * Splits for pairs new to a dataset. Pairs already in the dataset keep theirs (a pair never drifts from test into
 * train between imports); the new ones, in a seeded-hash order, each go to the split furthest below its share of
 * the grown dataset, so even a 20-pair dataset gets val and test pairs (a per-name coin flip can leave them empty).
 */
export function assignSplits(
  existing: Readonly<Record<Split, number>>,
  newNames: readonly string[],
  seed = 0,
  ratios: Readonly<Record<Split, number>> = DEFAULT_SPLIT_RATIOS,
): Map<string, Split> {
  const counts = { ...existing };
  const total = SPLITS.reduce((n, s) => n + counts[s], 0) + newNames.length;
  const sum = ratios.train + ratios.val + ratios.test;
  const order = [...newNames].sort((a, b) => (hashOf(a, seed) < hashOf(b, seed) ? -1 : 1));
  const out = new Map<string, Split>();
  for (const name of order) {
    // Deficit against the final size; ties go to the smaller split first (val, test before train).
    let best: Split = 'train';
    let bestDeficit = -Infinity;
    for (const s of ['val', 'test', 'train'] as const) {
      const deficit = (ratios[s] / sum) * total - counts[s];
      if (deficit > bestDeficit + 1e-9) {
        best = s;
        bestDeficit = deficit;
      }
    }
    counts[best]++;
    out.set(name, best);
  }
  return out;
}
