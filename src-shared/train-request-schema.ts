/**
 * The schema of a training request (`training:start`'s `request`).
 *
 * INTERIM — the one place where training-option bounds are written down outside the option registry: the registry
 * (src-shared/train-options.ts, being built on another branch) has not landed yet. When it does, this file is
 * derived from it and the numbers below disappear. They are the registry's own bounds.
 */
import * as v from 'valibot';
import type { TrainRequest } from './training-types.ts';
import { boundedNumber, wholeNumber } from './schema-parts.ts';

const choice = <const T extends readonly [string, ...string[]]>(what: string, choices: T) => v.picklist(choices, `${what}: one of ${choices.join(', ')}`);

/** Every option a request may set; each may be left out (the trainer fills in defaults). */
export const trainRequestSchema = v.strictObject(
  {
    backbone: v.optional(choice('a backbone', ['resnet50', 'mobilenetv2'])),
    mode: v.optional(choice('a training mode', ['head', 'finetune'])),
    epochs: v.optional(wholeNumber('a number of epochs', 1, 1000)),
    batchSize: v.optional(wholeNumber('a batch size', 2, 1024)),
    learningRate: v.optional(boundedNumber('a learning rate', { min: 0, minExclusive: true, max: 1, maxExclusive: true })),
    margin: v.optional(boundedNumber('a triplet margin', { min: 0, minExclusive: true, max: 10 })),
    mining: v.optional(choice('a negative mining strategy', ['random', 'semihard', 'hard'])),
    pooling: v.optional(choice('a pooling', ['flatten', 'avg'])),
    distance: v.optional(choice('a distance', ['l1', 'l2sq', 'cosine'])),
    seed: v.optional(wholeNumber('a seed', 0, 4294967295)),
    embeddingSize: v.optional(wholeNumber('an embedding size', 1, 4096)),
    inputSize: v.optional(wholeNumber('an input size in pixels', 32, 1024)),
    symmetric: v.optional(v.boolean('true or false')),
    augment: v.optional(wholeNumber('a number of synthetic look-alikes per logo', 0, 16)),
  },
  'an object of training options',
) satisfies v.GenericSchema<unknown, TrainRequest>;
