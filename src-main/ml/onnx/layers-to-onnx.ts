import type * as tf from '@tensorflow/tfjs';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from './onnx-proto.ts';
import { convertLayer, type GraphBuilder, type OnnxValue } from './layer-converters.ts';

/** A model the converter cannot express in ONNX: the layer and why, so the caller can say what runs instead. */
export class OnnxConversionError extends Error {
  readonly code = 'ONNX_UNSUPPORTED';
}

interface NodeLike {
  inputTensors: tf.SymbolicTensor[];
}

/**
 * Converts a frozen tfjs LayersModel into an ONNX graph with the same weights, for onnxruntime: the layers of
 * MobileNetV2 and ResNet50 (Conv2D with or without bias, DepthwiseConv2D, BatchNormalization, ReLU / Activation,
 * ZeroPadding2D, MaxPooling2D, Add, GlobalAveragePooling2D) and a feature recipe's RecipePool (src-main/ml/feature-pooling.ts).
 * Input and output stay NHWC like tfjs's (a Transpose at each end); inside, ONNX's NCHW. A model whose output is
 * an activation map (a ResNet50 feature map, partial mode's prefix) gets its map back as [n, h, w, c].
 *
 * The graph is walked back from the model's output through the symbolic tensors the model itself was built
 * from, so a model cut from a bigger one (a recipe, a prefix) converts only the layers it reaches, whatever
 * other models share those layers. BatchNormalization stays a node: onnxruntime folds it into the convolution
 * when it optimises the graph (as it fuses Clip), so the converter need not rewrite weights.
 * @throws OnnxConversionError naming the first layer it cannot convert.
 */
export function layersModelToOnnx(model: tf.LayersModel): OnnxGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OnnxConversionError(`${model.name}: only single-input, single-output models convert (${model.inputs.length} in, ${model.outputs.length} out)`);
  }
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  let unique = 0;
  const builder: GraphBuilder = {
    node: (op, inputs, attributes, name) => {
      const out = name ?? `onnx/${op}/${unique++}`; // "/" never occurs in a Keras layer name
      nodes.push({ op, name: out, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
      return out;
    },
    constant: (name, dims, data) => {
      initializers.push({ name, dims, data });
      return name;
    },
  };
  const input = model.inputs[0];
  const inputName = 'input';
  const values = new Map<number, OnnxValue>(); // symbolic tensor id → ONNX value holding it (NCHW for maps)
  values.set(input.id, { name: builder.node('Transpose', [inputName], { perm: { ints: [0, 3, 1, 2] } }, 'input_nchw'), shape: input.shape });
  const converting = new Set<number>();
  const layersSeen = new Set<tf.layers.Layer>();

  const valueOf = (t: tf.SymbolicTensor): OnnxValue => {
    const known = values.get(t.id);
    if (known) return known;
    const layer = t.sourceLayer as tf.layers.Layer;
    if (layer.getClassName() === 'InputLayer') throw new OnnxConversionError(`${model.name}: layer ${layer.name} is an input the model does not declare`);
    if (converting.has(t.id)) throw new OnnxConversionError(`${model.name}: layer ${layer.name} is part of a cycle`);
    // A layer applied twice in one graph would need its weights shared between two nodes; no backbone does that.
    if (layersSeen.has(layer)) throw new OnnxConversionError(`layer ${layer.name}: applied more than once in ${model.name}`);
    converting.add(t.id);
    const node = (layer as unknown as { inboundNodes: NodeLike[] }).inboundNodes[t.nodeIndex];
    // Deep models (ResNet50: 175 layers) recurse once per layer along the longest path, far within the stack.
    const inputs = node.inputTensors.map(valueOf);
    layersSeen.add(layer);
    let converted: OnnxValue;
    try {
      converted = { name: convertLayer(builder, layer, inputs), shape: t.shape };
    } catch (e) {
      throw new OnnxConversionError(`layer ${layer.name}: ${(e as Error).message}`);
    }
    converting.delete(t.id);
    values.set(t.id, converted);
    return converted;
  };

  const output = model.outputs[0];
  const last = valueOf(output);
  const outDims = output.shape.slice(1) as number[];
  if (outDims.some((d) => d == null)) throw new OnnxConversionError(`${model.name}: output shape ${JSON.stringify(output.shape)} is not fixed`);
  // Maps come back channels-last, as tfjs gives them (the feature cache stores [h, w, c]).
  const outName = last.shape.length === 4 ? builder.node('Transpose', [last.name], { perm: { ints: [0, 2, 3, 1] } }, 'output_nhwc') : last.name;
  return {
    name: model.name,
    nodes,
    initializers,
    inputs: [{ name: inputName, dims: ['batch', ...(input.shape.slice(1) as number[])] }],
    outputs: [{ name: outName, dims: ['batch', ...outDims] }],
  };
}
