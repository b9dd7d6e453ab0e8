import type { BackendInfo } from '../ml/backend.ts';
import type { TrainConfig, TrainRequest } from '../../src-shared/training-types.ts';

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

/** The square input each backbone was built for (the notebook used 200 for ResNet50; MobileNetV2 trained at 224). */
export const DEFAULT_INPUT_SIZE = { resnet50: 200, mobilenetv2: 224 } as const;

/**
 * Fills in what the user left out and checks every value. Defaults follow the original notebook (L1 distance,
 * margin 0.5, Adam 1e-4, 20 epochs, flatten) except where the notebook's TODOs were done: semi-hard mining, and
 * `head` mode on CPU backends (frozen backbone, cached features: minutes, not hours) vs `finetune` on a GPU.
 */
export function resolveTrainConfig(req: TrainRequest, backend: Pick<BackendInfo, 'device'>, backbone: TrainConfig['backbone']): TrainConfig {
  const mode = req.mode ?? (backend.device === 'gpu' ? 'finetune' : 'head');
  const config: TrainConfig = {
    backbone,
    mode,
    epochs: req.epochs ?? 20,
    batchSize: req.batchSize ?? (mode === 'head' ? 32 : 16),
    learningRate: req.learningRate ?? 1e-4,
    margin: req.margin ?? 0.5,
    mining: req.mining ?? 'semihard',
    pooling: req.pooling ?? 'flatten',
    distance: req.distance ?? 'l1',
    seed: req.seed ?? 42,
    embeddingSize: req.embeddingSize ?? 256,
    inputSize: req.inputSize ?? DEFAULT_INPUT_SIZE[backbone],
    symmetric: req.symmetric ?? false,
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
  if (!(config.learningRate > 0 && config.learningRate < 1)) throw new TrainConfigError(`--lr must be between 0 and 1, not ${config.learningRate}`);
  if (!(config.margin > 0 && config.margin <= 10)) throw new TrainConfigError(`--margin must be above 0 (and at most 10), not ${config.margin}`);
  return config;
}
