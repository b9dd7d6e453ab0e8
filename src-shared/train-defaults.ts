import type { DistanceChoice, Mining, Pooling } from './training-types.ts';

/**
 * The trainer's defaults, shared by the trainer and the app's form. Where they differ from the original notebook
 * (lr 1e-4, L1, random negatives, 20 epochs) it is on evidence: MobileNetV2 head-mode runs on the sample, measured
 * on 30 held-out brands, 3 seeds (README, "Choosing the defaults"; docs/defaults-grid-*.md).
 */
export const TRAIN_DEFAULTS = {
  epochs: 30,
  /** Pairs per batch: head mode trains on cached features, finetune mode pushes images through the backbone. */
  batchSize: { head: 32, finetune: 16 },
  learningRate: 1e-3,
  margin: 0.5,
  mining: 'hard' as Mining,
  pooling: 'flatten' as Pooling,
  distance: 'cosine' as DistanceChoice,
  seed: 42,
  embeddingSize: 256,
  symmetric: false,
  augment: 8,
  /** The square input each backbone was built for (the notebook used 200 for ResNet50; MobileNetV2 trained at 224). */
  inputSize: { resnet50: 200, mobilenetv2: 224 },
} as const;
