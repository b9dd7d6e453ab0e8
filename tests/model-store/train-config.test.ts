import { expect, it } from 'vitest';
import { resolveTrainConfig } from '../../src-main/model-store/train-config.ts';

it('fills in the defaults chosen on evidence, head mode on CPU, finetune on GPU', () => {
  expect(resolveTrainConfig({}, { device: 'cpu' }, 'resnet50')).toEqual({
    backbone: 'resnet50', mode: 'head', epochs: 30, batchSize: 32, learningRate: 1e-3, margin: 0.5,
    mining: 'hard', pooling: 'flatten', distance: 'cosine', seed: 42, embeddingSize: 256, inputSize: 200, symmetric: false, augment: 2,
    // ResNet50 has no measured recipe (its weights are not on the machines that measure): its final feature.
    features: 'final', head: 'whitened', patience: 0, augmentStyle: 'classic',
  });
  // MobileNetV2's measured best recipe (docs/training-heads.md) and its input size.
  expect(resolveTrainConfig({}, { device: 'cpu' }, 'mobilenetv2')).toMatchObject({ features: 'mid-multi-gem-polarity', head: 'whitened', inputSize: 224 });
  expect(resolveTrainConfig({ features: 'final', head: 'mlp' }, { device: 'cpu' }, 'mobilenetv2')).toMatchObject({ features: 'final', head: 'mlp' });
  expect(resolveTrainConfig({ mode: 'partial' }, { device: 'cpu' }, 'mobilenetv2')).toMatchObject({ mode: 'partial', batchSize: 16 });
  // Every one of the notebook's choices can still be asked for.
  expect(resolveTrainConfig({ epochs: 20, learningRate: 1e-4, mining: 'random', distance: 'l1' }, { device: 'cpu' }, 'resnet50')).toMatchObject({
    epochs: 20, learningRate: 1e-4, mining: 'random', distance: 'l1',
  });
  expect(resolveTrainConfig({}, { device: 'gpu' }, 'resnet50')).toMatchObject({ mode: 'finetune', batchSize: 16 });
  expect(resolveTrainConfig({}, { device: 'cpu' }, 'mobilenetv2').inputSize).toBe(224);
  expect(resolveTrainConfig({ mode: 'finetune', mining: 'hard' }, { device: 'cpu' }, 'mobilenetv2')).toMatchObject({ mode: 'finetune', mining: 'hard' });
});

it('names the flag of each value out of range', () => {
  const bad: [object, RegExp][] = [
    [{ epochs: 0 }, /--epochs/],
    [{ epochs: 2.5 }, /--epochs/],
    [{ batchSize: 1 }, /--batch-size/],
    [{ learningRate: 0 }, /--lr/],
    [{ margin: -1 }, /--margin/],
    [{ mining: 'hardest' }, /--mining must be one of random, semihard, hard/],
    [{ distance: 'l3' }, /--distance/],
    [{ inputSize: 16 }, /--input-size/],
    [{ augment: -1 }, /--augment/],
    [{ augment: 40 }, /--augment must be a whole number ≥ 0 and at most 16, not 40/],
    [{ epochs: 1e9 }, /--epochs must be a whole number ≥ 1 and at most 1000, not 1000000000/],
    [{ learningRate: 1 }, /--lr must be above 0 and below 1/],
    [{ inputSize: 4096 }, /--input-size/],
  ];
  for (const [req, message] of bad) expect(() => resolveTrainConfig(req, { device: 'cpu' }, 'mobilenetv2')).toThrow(message);
});
