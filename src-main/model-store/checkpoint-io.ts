import * as tf from '@tensorflow/tfjs';
import type { NamedTensor } from '../ml/train-loop.ts';
import type { CheckpointData } from '../catalog/runs.ts';

/** Joins tfjs's weight data (one buffer or several shards) into one Node Buffer. */
function toBuffer(data: tf.io.WeightData): Buffer {
  return Buffer.from(tf.io.CompositeArrayBuffer.join(data));
}

/** A Node Buffer as the standalone ArrayBuffer tfjs expects (a Buffer may be a view into a shared pool). */
function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/**
 * Saves a model through a tfjs IOHandler into the shape the catalog stores (topology, weight specs, one
 * weight blob) and encodes the optimizer's state beside it.
 */
export async function captureCheckpoint(model: tf.LayersModel, optimizerState: NamedTensor[]): Promise<CheckpointData> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save({
    async save(a: tf.io.ModelArtifacts) {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('model save produced no weights');
  let optimizerData: Buffer | null = null;
  let optimizerSpecs: unknown = null;
  if (optimizerState.length) {
    const encoded = await tf.io.encodeWeights(optimizerState);
    optimizerData = toBuffer(encoded.data);
    optimizerSpecs = encoded.specs;
  }
  return {
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: toBuffer(artifacts.weightData),
    optimizerSpecs,
    optimizerData,
  };
}

/** An IOHandler that loads a stored checkpoint's model with `tf.loadLayersModel`. */
export function checkpointLoader(cp: Pick<CheckpointData, 'modelTopology' | 'weightSpecs' | 'weightData'>): tf.io.IOHandler {
  return {
    load: async () => ({
      modelTopology: cp.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: cp.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: toArrayBuffer(cp.weightData),
      format: 'layers-model',
    }),
  };
}

/** The optimizer state of a checkpoint as named tensors (the caller disposes them). */
export function decodeOptimizerState(cp: Pick<CheckpointData, 'optimizerSpecs' | 'optimizerData'>): NamedTensor[] {
  if (!cp.optimizerData || !cp.optimizerSpecs) return [];
  const map = tf.io.decodeWeights(toArrayBuffer(cp.optimizerData), cp.optimizerSpecs as tf.io.WeightsManifestEntry[]);
  return Object.entries(map).map(([name, tensor]) => ({ name, tensor }));
}
