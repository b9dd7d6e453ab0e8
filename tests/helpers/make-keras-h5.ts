import type * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import type { Group } from 'h5wasm';

/** Variations on a well-formed file, to check that the loader notices them. */
export interface KerasH5WriteOptions {
  /** Layers left out of the file entirely. */
  omitLayers?: string[];
  /** Write this one weight (`layer/short name`, e.g. `conv1_bn/gamma`) with a wrong shape. */
  corruptShapeOf?: string;
  /** List each layer's weights last-to-first, to show that loading goes by name, not position. */
  reverseWeightOrder?: boolean;
  /** Nest everything under `model_weights`, as a full `model.save('x.h5')` does. */
  asFullModel?: boolean;
}

/**
 * The values written for weight `weightKey` (`layer/short name`, e.g. `conv1_bn/gamma`): they differ between
 * weights and along each weight, so a transposed, shifted or swapped weight cannot pass for the right one.
 */
export function knownWeightValues(weightKey: string, size: number): Float32Array {
  let k = 0;
  for (const char of weightKey) k = (k * 31 + char.charCodeAt(0)) % 1009;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = k + ((i * 7919) % 10007) / 10007;
  return values;
}

/** The key {@link knownWeightValues} uses for a tfjs weight (whatever unique suffix tfjs gave its name). */
export function weightKey(layerName: string, weight: tf.LayerVariable): string {
  return `${layerName}/${shortName(weight.originalName)}`;
}

/**
 * Writes `model`'s weights the way Keras 2 `save_weights('x.h5')` lays them out (root attribute `layer_names`,
 * a group per layer with attribute `weight_names`, datasets at `<layer>/<layer>/<weight>:0`), with the values of
 * {@link knownWeightValues}.
 */
export async function writeKerasH5(
  model: tf.LayersModel, path: string, options: KerasH5WriteOptions = {},
): Promise<void> {
  await h5wasm.ready;
  const file = new h5wasm.File(path, 'w');
  try {
    let root: Group = file;
    if (options.asFullModel) {
      file.create_attribute('model_config', '{}');
      root = file.create_group('model_weights');
    }
    const layers = model.layers.filter((layer) => !options.omitLayers?.includes(layer.name));
    writeStringList(root, 'layer_names', layers.map((layer) => layer.name));
    root.create_attribute('backend', 'tensorflow');
    root.create_attribute('keras_version', '2.2.4');

    for (const layer of layers) {
      const group = root.create_group(layer.name);
      const weights = options.reverseWeightOrder ? [...layer.weights].reverse() : layer.weights;
      const names = weights.map((weight) => `${layer.name}/${shortName(weight.originalName)}:0`);
      writeStringList(group, 'weight_names', names);
      if (weights.length === 0) continue;
      const inner = group.create_group(layer.name);
      for (const weight of weights) {
        const name = shortName(weight.originalName);
        let shape = weight.shape as number[];
        if (options.corruptShapeOf === `${layer.name}/${name}`) shape = [...shape.slice(0, -1), shape.at(-1)! + 1];
        const size = shape.reduce((a, b) => a * b, 1);
        inner.create_dataset({
          name: `${name}:0`, data: knownWeightValues(weightKey(layer.name, weight), size), shape, dtype: '<f',
        });
      }
    }
  } finally {
    file.close();
  }
}

/** h5py stores Python byte strings as fixed-length `S` strings, and an empty list as an empty float array. */
function writeStringList(group: Group, name: string, items: string[]): void {
  if (items.length === 0) {
    group.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(...items.map((item) => Buffer.byteLength(item)));
  group.create_attribute(name, items, [items.length], `S${width}`);
}

function shortName(tfjsName: string): string {
  return tfjsName.split('/').pop()!;
}
