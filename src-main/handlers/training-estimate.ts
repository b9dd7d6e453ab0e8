import type { Db } from '../catalog/open-catalog.ts';
import { assignSplits } from '../catalog/split.ts';
import { splitCounts } from '../catalog/training-preflight.ts';
import { MIN_CALIBRATION_PAIRS } from '../../src-shared/calibration-policy.ts';
import type { ArgsOf, TrainingEstimate } from '../../src-shared/contract.ts';
import type { Split } from '../../src-shared/catalog-types.ts';
import { estimateFeatures, type FeatureRates } from './feature-estimate.ts';

/** Past this many more pairs, "import more" is the whole advice; the count would be noise. */
const MAX_MORE_PAIRS = 10_000;

/**
 * How many new pairs the importer would have to add before val holds `needed` pairs. The importer's split gives
 * each new pair to the split furthest below its share of the grown dataset (catalog/split.ts), so the answer is
 * found by splitting k placeholder names the same way for growing k.
 */
export function morePairsForVal(existing: Readonly<Record<Split, number>>, needed: number): number {
  if (existing.val >= needed) return 0;
  for (let k = 1; k <= MAX_MORE_PAIRS; k++) {
    const names = Array.from({ length: k }, (_, i) => `new-${i}`);
    let val = existing.val;
    for (const split of assignSplits(existing, names).values()) if (split === 'val') val++;
    if (val >= needed) return k;
  }
  return MAX_MORE_PAIRS;
}

/** The training form's preflight: splits, whether a threshold can be calibrated, and the feature extraction's estimate. */
export function estimateTraining(db: Db, rates: FeatureRates, args: ArgsOf<'training:estimate'>): TrainingEstimate {
  const splits = splitCounts(db, args.datasetId);
  return {
    splits,
    minCalibrationPairs: MIN_CALIBRATION_PAIRS,
    morePairsToCalibrate: morePairsForVal(splits, MIN_CALIBRATION_PAIRS),
    features: estimateFeatures(db, rates, args),
  };
}
