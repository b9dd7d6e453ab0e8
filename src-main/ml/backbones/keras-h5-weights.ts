import * as tf from '@tensorflow/tfjs';
import { access } from 'node:fs/promises';
import type { Dataset, File as H5File, Group } from 'h5wasm';
import { WeightsError } from './weights-cache.ts';

/** What {@link loadKerasH5Weights} did. */
export interface KerasH5LoadReport {
  /** Model layers that received weights, in model order. */
  loadedLayers: string[];
  /** Layers of the file with weights that the model does not have (e.g. a classifier top); left unused. */
  unusedFileLayers: string[];
}

/**
 * Loads a Keras 2 HDF5 weights file (`model.save_weights('x.h5')`, the files `keras.applications` downloads,
 * or the `model_weights` group of a full `model.save('x.h5')`) into `model`, matching layers by name.
 * Every model layer that has weights must be in the file with the same weight shapes; nothing is assigned
 * unless the whole file matches. Throws `WeightsError` `WEIGHTS_MISSING` (no file) or `WEIGHTS_INVALID`
 * (naming the layer and weight at fault).
 */
export async function loadKerasH5Weights(model: tf.LayersModel, h5Path: string): Promise<KerasH5LoadReport> {
  const file = await openH5(h5Path);
  try {
    const root = weightsRoot(file, h5Path);
    const fileLayers = readLayerIndex(root);
    // First check everything from metadata alone, so a bad file leaves the model as it was.
    const plan = model.layers
      .filter((layer) => layer.weights.length > 0)
      .map((layer) => planLayer(layer, root, fileLayers.get(layer.name), h5Path));
    for (const { layer, datasets } of plan) {
      const values = datasets.map((dataset, i) => tf.tensor(toFloat32(dataset), layer.weights[i].shape as number[]));
      try {
        layer.setWeights(values);
      } finally {
        tf.dispose(values);
      }
    }
    const loaded = new Set(plan.map(({ layer }) => layer.name));
    return {
      loadedLayers: [...loaded],
      unusedFileLayers: [...fileLayers.keys()].filter((name) => !loaded.has(name)),
    };
  } finally {
    file.close();
  }
}

/** Keras 2 keeps weights at the root of a weights file and under `model_weights` in a full-model file. */
function weightsRoot(file: Group, h5Path: string): Group {
  const keys = file.keys();
  if (keys.includes('model_weights')) return file.get('model_weights') as Group;
  if ('layer_names' in file.attrs || 'layer_names0' in file.attrs) return file;
  const hint = keys.includes('layers')
    ? ' It looks like a Keras 3 `.weights.h5` file, whose layers are keyed by class and position rather than ' +
      'by name; save it from Keras with `model.save_weights("x.h5")` in Keras 2, or use the file ' +
      '`keras.applications` downloads.'
    : '';
  throw new WeightsError('WEIGHTS_INVALID', `${h5Path} is not a Keras HDF5 weights file (no layer_names).${hint}`);
}

/** Layer name → its weight names, for the file's layers that have weights. */
function readLayerIndex(root: Group): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const groups = new Set(root.keys());
  for (const layerName of readStringList(root, 'layer_names')) {
    if (!groups.has(layerName)) continue;
    const weightNames = readStringList(root.get(layerName) as Group, 'weight_names');
    if (weightNames.length > 0) index.set(layerName, weightNames);
  }
  return index;
}

/**
 * Keras writes name lists as attributes, split into `name0`, `name1`, … when they exceed HDF5's 64 KB limit
 * for attributes; an empty list may come back as an empty numeric array.
 */
function readStringList(group: Group, name: string): string[] {
  const attrs = group.attrs;
  const parts = name in attrs ? [name] : [];
  for (let i = 0; `${name}${i}` in attrs; i++) parts.push(`${name}${i}`);
  return parts.flatMap((part) => {
    const value = attrs[part].value;
    const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    return items.map((item) => (item instanceof Uint8Array ? new TextDecoder().decode(item) : String(item)));
  });
}

interface LayerPlan {
  layer: tf.layers.Layer;
  /** One dataset per entry of `layer.weights`, in that order. */
  datasets: Dataset[];
}

function planLayer(
  layer: tf.layers.Layer, root: Group, weightNames: string[] | undefined, h5Path: string,
): LayerPlan {
  if (weightNames === undefined) {
    throw new WeightsError('WEIGHTS_INVALID', `Layer ${layer.name} has no weights in ${h5Path}.`);
  }
  const group = root.get(layer.name) as Group;
  // Keras names weights `<layer>/kernel:0`; tfjs `<layer>/kernel` (plus `_1` if another model used the name).
  const datasets = layer.weights.map((weight) => {
    const shortName = weight.originalName.split('/').pop() ?? weight.originalName;
    const kerasName = weightNames.find((name) => kerasShortName(name) === shortName);
    if (kerasName === undefined) {
      throw new WeightsError(
        'WEIGHTS_INVALID',
        `Layer ${layer.name}: weight "${shortName}" not in the file (it has ${weightNames.join(', ')}).`,
      );
    }
    const dataset = group.get(kerasName);
    if (dataset === null || !('shape' in dataset) || !('value' in dataset)) {
      throw new WeightsError('WEIGHTS_INVALID', `Layer ${layer.name}: dataset ${kerasName} is missing.`);
    }
    const fileShape = dataset.shape ?? [];
    if (fileShape.join(',') !== weight.shape.join(',')) {
      throw new WeightsError(
        'WEIGHTS_INVALID',
        `Layer ${layer.name}: weight ${shortName} has shape [${fileShape}] in the file but the model expects ` +
          `[${weight.shape}].`,
      );
    }
    // HDF5 class 1 is floating point; float16 would come back as raw bytes.
    const { type, size } = (dataset as Dataset).metadata;
    if (type !== 1 || (size !== 4 && size !== 8)) {
      throw new WeightsError(
        'WEIGHTS_INVALID',
        `Layer ${layer.name}: ${kerasName} has dtype ${String((dataset as Dataset).dtype)}; only float32/float64 ` +
          'are supported.',
      );
    }
    return dataset as Dataset;
  });
  if (weightNames.length !== layer.weights.length) {
    throw new WeightsError(
      'WEIGHTS_INVALID',
      `Layer ${layer.name}: the file has ${weightNames.length} weights (${weightNames.join(', ')}), ` +
        `the model ${layer.weights.length}.`,
    );
  }
  return { layer, datasets };
}

/** `conv1_conv/kernel:0` → `kernel`. */
function kerasShortName(name: string): string {
  return (name.split('/').pop() ?? name).replace(/:\d+$/, '');
}

/** Keras saves float32; float64 is narrowed as tfjs would anyway. */
function toFloat32(dataset: Dataset): Float32Array {
  const value = dataset.value;
  return value instanceof Float32Array ? value : Float32Array.from(value as Float64Array);
}

type H5wasm = typeof import('h5wasm').default;
let h5wasmLoading: Promise<H5wasm> | undefined;

/**
 * Loads h5wasm's Node build on first use. Its Emscripten start-up checks `navigator.userAgent` (defined in
 * Electron and Node ≥ 21) against minimum browser versions and can refuse to start, so `navigator` is hidden
 * meanwhile, as h5wasm's README prescribes for Electron.
 */
function loadH5wasm(): Promise<H5wasm> {
  h5wasmLoading ??= (async () => {
    const navigatorDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const hide = navigatorDescriptor?.configurable === true;
    if (hide) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const h5wasm = (await import('h5wasm/node')).default;
      await h5wasm.ready;
      return h5wasm;
    } finally {
      if (hide) Object.defineProperty(globalThis, 'navigator', navigatorDescriptor);
    }
  })();
  return h5wasmLoading;
}

async function openH5(path: string): Promise<H5File> {
  try {
    await access(path);
  } catch {
    throw new WeightsError('WEIGHTS_MISSING', `Weights file not found: ${path}`);
  }
  const h5wasm = await loadH5wasm();
  const file = new h5wasm.File(path, 'r');
  // h5wasm reports an unreadable file with a negative id rather than an exception.
  if (file.file_id < 0n) throw new WeightsError('WEIGHTS_INVALID', `${path} is not an HDF5 file.`);
  return file;
}
