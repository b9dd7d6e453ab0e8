import * as tf from '@tensorflow/tfjs';
import { buildWhitenedHead } from '../ml/head.ts';
import { fitLearnedWhitening } from '../ml/learned-whitening.ts';
import type { InputsFor } from './score-run.ts';

/** Options of {@link fitWhitenedHead}. */
export interface WhitenedHeadFit {
  /**
   * What turns the loop's inputs into the head's input: the partial suffix or the finetuned backbone. Absent in
   * head mode, where the inputs (cached features) are the head's input.
   */
  base?: tf.LayersModel;
  inputsFor: InputsFor;
  /** The pairs the whitening is fitted on: the training pairs (synthetic look-alikes included), never val or test. */
  trainPairs: readonly number[];
  embeddingSize: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * The learned-whitening head of a new run, fitted on the features its training pairs have before any epoch:
 * each pair's left and right feature (maps average-pooled), once, in batches. A closed-form fit of a few seconds
 * (learned-whitening.ts) in place of a random start, which is why a run beats its untrained features from its
 * first epoch on.
 */
export async function fitWhitenedHead({ base, inputsFor, trainPairs, embeddingSize, log, signal }: WhitenedHeadFit): Promise<tf.LayersModel> {
  const sides = { left: [] as Float32Array[], right: [] as Float32Array[] };
  let shape: number[] = [];
  for (let b = 0; b < trainPairs.length; b += 32) {
    signal?.throwIfAborted();
    const chunk = trainPairs.slice(b, b + 32);
    for (const side of ['left', 'right'] as const) {
      const x = await inputsFor(chunk, side);
      const y = tf.tidy(() => {
        const out = base ? (base.predict(x) as tf.Tensor) : x.clone();
        if (!shape.length) shape = out.shape.slice(1);
        return out.rank === 4 ? tf.mean(out, [1, 2]) : out;
      });
      x.dispose();
      sides[side].push((await y.data()) as Float32Array);
      y.dispose();
    }
  }
  const channels = shape[shape.length - 1];
  const outputDims = Math.min(embeddingSize, channels);
  if (outputDims < embeddingSize) {
    log?.(`notice: the whitened head cannot output more than the feature's ${channels} values; its embedding has ${channels}, not ${embeddingSize}`);
  }
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const whitening = fitLearnedWhitening(concat(sides.left), concat(sides.right), { dim: channels, outputDims });
  return buildWhitenedHead({ inputShape: shape, embeddingSize: outputDims, whitening });
}
