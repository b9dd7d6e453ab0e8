import * as tf from '@tensorflow/tfjs';

/** A backbone cut in two at its freeze point: frozen prefix (image → one activation map) and trainable suffix. */
export interface SplitBackbone {
  /** Input → the one tensor the layers from the freeze point on read from before it. Shares the backbone's layers. */
  prefix: tf.LayersModel;
  /** That tensor → the backbone's output, through the backbone's own (shared) layers from the freeze point on. */
  suffix: tf.LayersModel;
  /** Name of the layer whose output is the cut (the prefix's output). */
  cutLayer: string;
}

/** A freeze point the partial mode cannot cut at. */
export class SplitError extends Error {
  readonly code = 'BAD_FREEZE_POINT';
}

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

/**
 * Cuts `model` before the layer `freezeBefore`: every layer before it is the prefix, the rest the suffix, so that
 * `suffix(prefix(x))` is `model(x)` (the same weights, shared, not copied). Partial fine-tuning computes the
 * prefix once per image (cached) and trains only the suffix and the head on its output.
 * @throws SplitError when the layers after the cut read more than one tensor from before it (a residual block's
 *   middle: its skip connection crosses the cut), or the layer is not in the model.
 */
export function splitBackbone(model: tf.LayersModel, freezeBefore: string): SplitBackbone {
  const layers = model.layers;
  const index = layers.findIndex((l) => l.name === freezeBefore);
  if (index <= 0) throw new SplitError(`freeze point ${freezeBefore} is not a layer after the input of ${model.name}`);
  const before = new Set(layers.slice(0, index));
  const node = (layer: tf.layers.Layer) => (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[0];
  const crossing = new Map<number, tf.SymbolicTensor>();
  for (const layer of layers.slice(index)) {
    for (const t of node(layer).inputTensors) if (before.has(t.sourceLayer as tf.layers.Layer)) crossing.set(t.id, t);
  }
  if (crossing.size !== 1) {
    throw new SplitError(
      `cannot cache one activation at ${freezeBefore}: the layers after it read ${crossing.size} tensors from before it ` +
        `(${[...crossing.values()].map((t) => t.sourceLayer.name).join(', ')}); cut at the start of a block`,
    );
  }
  const cut = [...crossing.values()][0];
  const prefix = tf.model({ inputs: model.inputs, outputs: cut, name: `${model.name}_prefix` });
  const input = tf.input({ shape: cut.shape.slice(1) as number[], name: `${model.name}_cut_input` });
  const rebuilt = new Map<number, tf.SymbolicTensor>([[cut.id, input]]);
  for (const layer of layers.slice(index)) {
    const { inputTensors, outputTensors, callArgs } = node(layer);
    const inputs = inputTensors.map((t) => {
      const r = rebuilt.get(t.id);
      if (!r) throw new SplitError(`layer ${layer.name} reads ${t.sourceLayer.name}, which is neither the cut nor after it`);
      return r;
    });
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, callArgs ?? {});
    (Array.isArray(out) ? out : [out]).forEach((o, k) => rebuilt.set(outputTensors[k].id, o as tf.SymbolicTensor));
  }
  const output = rebuilt.get(model.outputs[0].id);
  if (!output) throw new SplitError(`the output of ${model.name} does not depend on the layers after ${freezeBefore}`);
  const suffix = tf.model({ inputs: input, outputs: output, name: `${model.name}_suffix` });
  return { prefix, suffix, cutLayer: cut.sourceLayer.name };
}
