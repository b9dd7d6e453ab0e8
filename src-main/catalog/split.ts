import { createHash } from 'node:crypto';
import type { Split } from './datasets.ts';

/** Default train/val/test proportions (the original notebook had 80/20 and no test split). */
export const DEFAULT_SPLIT_RATIOS: Readonly<Record<Split, number>> = { train: 0.8, val: 0.1, test: 0.1 };

/**
 * The split of a pair, decided by a seeded hash of its name alone, so a pair keeps its split when the folder is
 * re-imported or grows (a pair never drifts from test into train between runs).
 */
export function splitFor(name: string, seed = 0, ratios: Readonly<Record<Split, number>> = DEFAULT_SPLIT_RATIOS): Split {
  const digest = createHash('sha256').update(`${seed}\0${name}`).digest();
  const u = digest.readUInt32BE(0) / 2 ** 32;
  const total = ratios.train + ratios.val + ratios.test;
  if (u < ratios.train / total) return 'train';
  if (u < (ratios.train + ratios.val) / total) return 'val';
  return 'test';
}
