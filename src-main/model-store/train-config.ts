import type { BackendInfo } from '../ml/backend.ts';
import { backboneEntry, recipeFor } from '../ml/backbones/registry.ts';
import type { TrainConfig, TrainRequest } from '../../src-shared/training-types.ts';
import { DEFAULT_BATCH_SIZE, measuredBestRecipe, optionProblem, TRAIN_OPTION_KEYS, TRAIN_OPTIONS } from '../../src-shared/train-options.ts';

/** A hyperparameter out of range, named so the user knows which flag to fix. */
export class TrainConfigError extends Error {
  readonly code = 'BAD_TRAIN_CONFIG';
}

/**
 * Fills in what the user left out and checks every value against src-shared/train-options.ts (defaults chosen on
 * evidence, see there): `head` mode on CPU backends (frozen backbone, cached features: minutes, not hours) vs
 * `finetune` on a GPU, the batch size of the mode, the backbone's own input size (its registry entry).
 */
export function resolveTrainConfig(req: TrainRequest, backend: Pick<BackendInfo, 'device'>, backbone: TrainConfig['backbone']): TrainConfig {
  let entry;
  try {
    entry = backboneEntry(backbone);
  } catch (e) {
    throw new TrainConfigError((e as Error).message);
  }
  // No recipe asked for: the backbone's measured best (its registry entry), else its own final feature.
  const features = req.features ?? measuredBestRecipe(backbone);
  let recipe;
  try {
    recipe = recipeFor(backbone, features);
  } catch (e) {
    throw new TrainConfigError((e as Error).message);
  }
  const mode = req.mode ?? (backend.device === 'gpu' ? 'finetune' : 'head');
  const d = TRAIN_OPTIONS;
  const config: TrainConfig = {
    backbone,
    mode,
    epochs: req.epochs ?? d.epochs.default,
    patience: req.patience ?? d.patience.default,
    batchSize: req.batchSize ?? DEFAULT_BATCH_SIZE[mode] ?? DEFAULT_BATCH_SIZE.head,
    learningRate: req.learningRate ?? d.learningRate.default,
    margin: req.margin ?? d.margin.default,
    mining: req.mining ?? d.mining.default,
    features,
    pooling: req.pooling ?? d.pooling.default,
    head: req.head ?? d.head.default,
    distance: req.distance ?? d.distance.default,
    seed: req.seed ?? d.seed.default,
    embeddingSize: req.embeddingSize ?? d.embeddingSize.default,
    inputSize: req.inputSize ?? recipe?.inputSize ?? entry.inputSize,
    symmetric: req.symmetric ?? d.symmetric.default,
    augment: req.augment ?? d.augment.default,
    augmentStyle: req.augmentStyle ?? d.augmentStyle.default,
  };
  for (const key of TRAIN_OPTION_KEYS) {
    // The backbone was checked against the registry above (it may hold more than the shared list: a test's model).
    if (key === 'backbone') continue;
    const problem = optionProblem(key, config[key]);
    if (problem) throw new TrainConfigError(problem);
  }
  if (config.inputSize < entry.minInputSize) throw new TrainConfigError(`--input-size must be at least ${entry.minInputSize} for ${backbone}, not ${config.inputSize}`);
  return config;
}
