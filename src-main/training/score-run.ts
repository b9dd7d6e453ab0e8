import * as tf from '@tensorflow/tfjs';
import { openSetScores, scorePairedSets, type PairedSetScores } from '../ml/metrics/score-paired-sets.ts';
import type { OpenSetScores } from '../ml/metrics/open-set-calibration.ts';
import { embeddingSimilarity } from '../ml/vectors.ts';
import type { TrainingData } from './training-data.ts';

/* How a run is measured once its epochs are done: embeddings of a split's pairs, retrieval and calibration scores. */

/** The model inputs of some pairs' left or right images (cached features or preprocessed pixels). */
export type InputsFor = (pairs: number[], side: 'left' | 'right') => tf.Tensor | Promise<tf.Tensor>;

/** Embeds one side of some pairs with the model in inference mode, a batch at a time: [rows × dim]. */
export async function embedPairs(model: tf.LayersModel, inputsFor: InputsFor, pairs: number[], side: 'left' | 'right', batch = 32): Promise<{ data: Float32Array; dim: number }> {
  const dim = model.outputs[0].shape[1] as number;
  const data = new Float32Array(pairs.length * dim);
  for (let i = 0; i < pairs.length; i += batch) {
    const x = await inputsFor(pairs.slice(i, i + batch), side);
    const y = tf.tidy(() => model.predict(x) as tf.Tensor);
    x.dispose();
    data.set((await y.data()) as Float32Array, i * dim);
    y.dispose();
  }
  return { data, dim };
}

/** Retrieval on some pairs: each right image ranked against the left images of the same pairs. */
export async function scorePairs(model: tf.LayersModel, inputsFor: InputsFor, pairs: number[]): Promise<PairedSetScores> {
  const left = await embedPairs(model, inputsFor, pairs, 'left');
  const right = await embedPairs(model, inputsFor, pairs, 'right');
  return scorePairedSets(pairs.length, embeddingSimilarity(right.data, left.data, left.dim));
}

/**
 * The val split's retrieval scores, and what tau is calibrated on: the val queries against the val logos plus
 * every training logo (each once; look-alike pairs share their logo), a gallery the size of the dataset's, so that
 * tau meets as many impostors as a query of the catalog does (openSetScores). One embedding pass for both.
 */
export async function scoreVal(model: tf.LayersModel, inputsFor: InputsFor, data: TrainingData): Promise<{ scores: PairedSetScores; calibration: OpenSetScores }> {
  const seen = new Set(data.valPairs.map((i) => data.left[i].sha256));
  const distractors: number[] = [];
  for (const i of data.trainPairs) {
    if (seen.has(data.left[i].sha256)) continue;
    seen.add(data.left[i].sha256);
    distractors.push(i);
  }
  const gallery = await embedPairs(model, inputsFor, [...data.valPairs, ...distractors], 'left');
  const queries = await embedPairs(model, inputsFor, data.valPairs, 'right');
  const similarity = embeddingSimilarity(queries.data, gallery.data, gallery.dim);
  const n = data.valPairs.length;
  // scorePairedSets reads gallery rows 0…n−1 only: the val logos, as the run's val metrics always were.
  return { scores: scorePairedSets(n, similarity), calibration: openSetScores(n, distractors.length, similarity) };
}

