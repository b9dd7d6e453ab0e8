import type { BackendInfo } from '../ml/backend.ts';
import type { TrainConfig, TrainRequest } from '../../src-shared/training-types.ts';
import { TRAIN_DEFAULTS } from '../../src-shared/train-defaults.ts';

/** A hyperparameter out of range, named so the user knows which flag to fix. */
export class TrainConfigError extends Error {
  readonly code = 'BAD_TRAIN_CONFIG';
}

const CHOICES = {
  backbone: ['resnet50', 'mobilenetv2'],
  mode: ['head', 'finetune'],
  mining: ['random', 'semihard', 'hard'],
  pooling: ['flatten', 'avg'],
  distance: ['l1', 'l2sq', 'cosine'],
} as const;

/** The square input each backbone was built for. */
export const DEFAULT_INPUT_SIZE = TRAIN_DEFAULTS.inputSize;

/**
 * Fills in what the user left out and checks every value. Defaults: TRAIN_DEFAULTS (chosen on evidence, see
 * there), and `head` mode on CPU backends (frozen backbone, cached features: minutes, not hours) vs `finetune`
 * on a GPU.
 */
export function resolveTrainConfig(req: TrainRequest, backend: Pick<BackendInfo, 'device'>, backbone: TrainConfig['backbone']): TrainConfig {
  const mode = req.mode ?? (backend.device === 'gpu' ? 'finetune' : 'head');
  const d = TRAIN_DEFAULTS;
  const config: TrainConfig = {
    backbone,
    mode,
    epochs: req.epochs ?? d.epochs,
    batchSize: req.batchSize ?? d.batchSize[mode === 'head' ? 'head' : 'finetune'],
    learningRate: req.learningRate ?? d.learningRate,
    margin: req.margin ?? d.margin,
    mining: req.mining ?? d.mining,
    pooling: req.pooling ?? d.pooling,
    distance: req.distance ?? d.distance,
    seed: req.seed ?? d.seed,
    embeddingSize: req.embeddingSize ?? d.embeddingSize,
    inputSize: req.inputSize ?? DEFAULT_INPUT_SIZE[backbone],
    symmetric: req.symmetric ?? d.symmetric,
    augment: req.augment ?? d.augment,
  };
  for (const [key, allowed] of Object.entries(CHOICES)) {
    const value = config[key as keyof typeof CHOICES];
    if (!(allowed as readonly string[]).includes(value)) throw new TrainConfigError(`--${key} must be one of ${allowed.join(', ')}, not "${value}"`);
  }
  const positiveInt = (name: string, v: number, min = 1) => {
    if (!Number.isInteger(v) || v < min) throw new TrainConfigError(`--${name} must be a whole number ≥ ${min}, not ${v}`);
  };
  positiveInt('epochs', config.epochs);
  positiveInt('batch-size', config.batchSize, 2);
  positiveInt('embedding-size', config.embeddingSize);
  positiveInt('input-size', config.inputSize, 32);
  positiveInt('seed', config.seed, 0);
  positiveInt('augment', config.augment ?? 0, 0);
  if ((config.augment ?? 0) > 16) throw new TrainConfigError(`--augment must be at most 16 look-alikes per logo, not ${config.augment}`);
  if (!(config.learningRate > 0 && config.learningRate < 1)) throw new TrainConfigError(`--lr must be between 0 and 1, not ${config.learningRate}`);
  if (!(config.margin > 0 && config.margin <= 10)) throw new TrainConfigError(`--margin must be above 0 (and at most 10), not ${config.margin}`);
  return config;
}
