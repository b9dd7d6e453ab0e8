import type { TrainConfig, TrainRequest } from '../../../src-shared/training-types.ts';
import {
  BACKBONE_IDS, DEFAULT_BATCH_SIZE, DISTANCES, FEATURE_RECIPE_IDS, HEAD_KINDS, MINING_STRATEGIES, POOLINGS, TRAIN_MODES, TRAIN_OPTIONS,
  type BackboneId, type FeatureRecipeId, type NumberOption, type TrainMode,
} from '../../../src-shared/train-options.ts';

/** The registry the form is built from: each field's label, help sentence, choices, bounds and default. */
export { TRAIN_OPTIONS };

/** The default first, then the others in the registry's order: the form opens on what the trainer would pick. */
function defaultFirst<T extends string>(choices: readonly T[], preferred: T): T[] {
  return [preferred, ...choices.filter((c) => c !== preferred)];
}

/** The choices the trainer accepts, in the order the form lists them. */
export const TRAIN_CHOICES = {
  backbone: [...BACKBONE_IDS],
  mode: [...TRAIN_MODES],
  mining: defaultFirst(MINING_STRATEGIES, TRAIN_OPTIONS.mining.default),
  pooling: defaultFirst(POOLINGS, TRAIN_OPTIONS.pooling.default),
  features: [...FEATURE_RECIPE_IDS],
  head: defaultFirst(HEAD_KINDS, TRAIN_OPTIONS.head.default),
  distance: defaultFirst(DISTANCES, TRAIN_OPTIONS.distance.default),
};

/** What the batch-size field shows while left empty (the trainer picks by mode). */
export const BATCH_SIZE_PLACEHOLDER = `${DEFAULT_BATCH_SIZE.head} (head, partial) / ${DEFAULT_BATCH_SIZE.finetune} (finetune)`;

/** A number field's `min`, `max` and `step` attributes from the option's bounds. */
export function numberInputAttrs(key: 'epochs' | 'patience' | 'batchSize' | 'learningRate' | 'margin' | 'seed'): { min: number; max: number; step: number | 'any' } {
  const option: NumberOption = TRAIN_OPTIONS[key];
  return { min: option.min, max: option.max, step: option.integer ? 1 : key === 'margin' ? 0.05 : 'any' };
}

/** What the form holds: "auto" and null mean "the trainer's default". */
export type TrainFormState = Pick<TrainConfig, 'epochs' | 'learningRate' | 'margin' | 'mining' | 'pooling' | 'distance' | 'seed'> & {
  /** "auto": the backbone's measured best recipe (its registry entry). */
  features: FeatureRecipeId | 'auto';
  head: NonNullable<TrainConfig['head']>;
  patience: number;
  backbone: BackboneId | 'auto';
  mode: TrainMode | 'auto';
  batchSize: number | null;
  symmetric: boolean;
};

/**
 * A fresh form at the trainer's defaults (src-shared/train-options.ts). `backbone` and `mode` are left to the
 * trainer (ResNet50 when its weights are found; `head` on CPU, `finetune` on GPU), so "auto" here sends nothing.
 */
export function defaultTrainForm(): TrainFormState {
  const o = TRAIN_OPTIONS;
  return {
    backbone: 'auto',
    mode: 'auto',
    epochs: o.epochs.default,
    patience: o.patience.default,
    batchSize: null,
    learningRate: o.learningRate.default,
    margin: o.margin.default,
    mining: o.mining.default,
    pooling: o.pooling.default,
    features: 'auto',
    head: o.head.default,
    distance: o.distance.default,
    seed: o.seed.default,
    symmetric: o.symmetric.default,
  };
}

/** The request to send: every value the user set, and nothing for what the trainer decides ("auto", empty). */
export function toTrainRequest(form: TrainFormState): TrainRequest {
  const request: TrainRequest = {
    epochs: form.epochs,
    patience: form.patience,
    learningRate: form.learningRate,
    margin: form.margin,
    mining: form.mining,
    pooling: form.pooling,
    head: form.head,
    distance: form.distance,
    seed: form.seed,
    symmetric: form.symmetric,
  };
  if (form.backbone !== 'auto') request.backbone = form.backbone;
  if (form.mode !== 'auto') request.mode = form.mode;
  if (form.features !== 'auto') request.features = form.features;
  if (form.batchSize != null && Number.isFinite(form.batchSize)) request.batchSize = form.batchSize;
  return request;
}
