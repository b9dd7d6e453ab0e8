import type { BackboneChoice, DistanceChoice, Mining, Pooling, TrainConfig, TrainMode, TrainRequest } from '../../../src-shared/training-types.ts';
import { TRAIN_DEFAULTS as SHARED_DEFAULTS } from '../../../src-shared/train-defaults.ts';

/**
 * The form's starting values: the trainer's own defaults (src-shared/train-defaults.ts). `backbone` and `mode`
 * are left to the trainer (ResNet50 when its weights are found; `head` on CPU, `finetune` on GPU), so "auto"
 * here sends nothing.
 */
export const TRAIN_DEFAULTS = {
  ...SHARED_DEFAULTS,
  backbone: 'auto' as BackboneChoice | 'auto',
  mode: 'auto' as TrainMode | 'auto',
};

/** The choices the trainer accepts, in the order the form lists them. */
export const TRAIN_CHOICES = {
  backbone: ['resnet50', 'mobilenetv2'] as BackboneChoice[],
  mode: ['head', 'finetune'] as TrainMode[],
  mining: ['hard', 'semihard', 'random'] as Mining[],
  pooling: ['flatten', 'avg'] as Pooling[],
  distance: ['cosine', 'l1', 'l2sq'] as DistanceChoice[],
};

/** What the form holds: "auto" and null mean "the trainer's default". */
export type TrainFormState = Pick<TrainConfig, 'epochs' | 'learningRate' | 'margin' | 'mining' | 'pooling' | 'distance' | 'seed'> & {
  backbone: BackboneChoice | 'auto';
  mode: TrainMode | 'auto';
  batchSize: number | null;
  symmetric: boolean;
};

/** A fresh form at the trainer's defaults. */
export function defaultTrainForm(): TrainFormState {
  const { backbone, mode, epochs, learningRate, margin, mining, pooling, distance, seed, symmetric } = TRAIN_DEFAULTS;
  return { backbone, mode, epochs, batchSize: null, learningRate, margin, mining, pooling, distance, seed, symmetric };
}

/** The request to send: every value the user set, and nothing for what the trainer decides ("auto", empty). */
export function toTrainRequest(form: TrainFormState): TrainRequest {
  const request: TrainRequest = {
    epochs: form.epochs,
    learningRate: form.learningRate,
    margin: form.margin,
    mining: form.mining,
    pooling: form.pooling,
    distance: form.distance,
    seed: form.seed,
    symmetric: form.symmetric,
  };
  if (form.backbone !== 'auto') request.backbone = form.backbone;
  if (form.mode !== 'auto') request.mode = form.mode;
  if (form.batchSize != null && Number.isFinite(form.batchSize)) request.batchSize = form.batchSize;
  return request;
}
