import * as tf from '@tensorflow/tfjs';
import type { OnnxGraph, OnnxInitializer, OnnxNode } from './onnx-proto.ts';

/**
 * Converts a frozen tfjs LayersModel built from the layers a MobileNet-style CNN uses (Conv2D, DepthwiseConv2D,
 * BatchNormalization, ReLU with max_value, ZeroPadding2D, Add, GlobalAveragePooling2D) into an ONNX graph with
 * the same weights, for onnxruntime. Input stays NHWC like tfjs's (one Transpose up front); inside, ONNX's NCHW.
 * BatchNormalization stays a node: onnxruntime folds it into the convolution before running (as it fuses Clip),
 * so the converter need not rewrite weights. Any other layer class is refused with its name.
 */
export function layersModelToOnnx(model: tf.LayersModel): OnnxGraph {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
  const valueOf = new Map<string, string>(); // layer name → ONNX value holding its (NCHW) output
  const constant = (name: string, dims: number[], data: Float32Array | BigInt64Array) => {
    initializers.push({ name, dims, data });
    return name;
  };
  const inputShape = model.inputs[0].shape; // [null, h, w, c]
  const inputName = 'input';
  nodes.push({ op: 'Transpose', name: 'to_nchw', inputs: [inputName], outputs: ['input_nchw'], attributes: { perm: { ints: [0, 3, 1, 2] } } });

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0]?.inboundLayers ?? [];
    const inputs = inbound.map((l) => valueOf.get(l.name) ?? (l.getClassName() === 'InputLayer' ? 'input_nchw' : missing(l.name)));
    const out = layer.name;
    const weights = layer.getWeights();
    const data = (i: number) => weights[i].dataSync() as Float32Array;
    switch (cls) {
      case 'InputLayer':
        valueOf.set(layer.name, 'input_nchw');
        continue;
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const [kh, kw, cin, cout] = weights[0].shape as number[]; // depthwise: cout is the channel multiplier
        const depthwise = cls === 'DepthwiseConv2D';
        const outChannels = depthwise ? cin * cout : cout;
        const w = new Float32Array(outChannels * (depthwise ? 1 : cin) * kh * kw);
        const k = data(0);
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let c = 0; c < cin; c++)
              for (let o = 0; o < cout; o++) {
                const v = k[((i * kw + j) * cin + c) * cout + o];
                // Conv: [out, in, kh, kw]; depthwise (group = cin): out channel c·mult + o, one input channel each.
                if (depthwise) w[((c * cout + o) * kh + i) * kw + j] = v;
                else w[((o * cin + c) * kh + i) * kw + j] = v;
              }
        const strides = config.strides as number[];
        const dilations = (config.dilationRate as number[] | undefined) ?? [1, 1];
        const inShape = (inbound[0].outputShape as number[]).slice(1, 3);
        const inputsOf = [inputs[0], constant(`${out}/W`, [outChannels, depthwise ? 1 : cin, kh, kw], w)];
        if (config.useBias) inputsOf.push(constant(`${out}/B`, [outChannels], Float32Array.from(data(1))));
        nodes.push({
          op: 'Conv',
          name: out,
          inputs: inputsOf,
          outputs: [out],
          attributes: {
            kernel_shape: { ints: [kh, kw] },
            strides: { ints: strides },
            dilations: { ints: dilations },
            group: { int: depthwise ? cin : 1 },
            pads: { ints: samePads(config.padding as string, inShape, [kh, kw], strides) },
          },
        });
        if (config.activation !== 'linear' && config.activation !== undefined) throw new Error(`${out}: fused activation ${String(config.activation)} is not supported`);
        break;
      }
      case 'BatchNormalization': {
        const channels = weights[weights.length - 1].shape[0];
        let at = 0;
        const gamma = config.scale ? data(at++) : new Float32Array(channels).fill(1);
        const beta = config.center ? data(at++) : new Float32Array(channels);
        const [mean, variance] = [data(at++), data(at++)];
        nodes.push({
          op: 'BatchNormalization',
          name: out,
          inputs: [inputs[0], constant(`${out}/gamma`, [channels], Float32Array.from(gamma)), constant(`${out}/beta`, [channels], Float32Array.from(beta)), constant(`${out}/mean`, [channels], Float32Array.from(mean)), constant(`${out}/var`, [channels], Float32Array.from(variance))],
          outputs: [out],
          attributes: { epsilon: { float: config.epsilon as number } },
        });
        break;
      }
      case 'ReLU': {
        const max = config.maxValue as number | null | undefined;
        if (max == null) nodes.push({ op: 'Relu', name: out, inputs, outputs: [out] });
        else nodes.push({ op: 'Clip', name: out, inputs: [inputs[0], constant(`${out}/min`, [], new Float32Array([0])), constant(`${out}/max`, [], new Float32Array([max]))], outputs: [out] });
        break;
      }
      case 'ZeroPadding2D': {
        const [[top, bottom], [left, right]] = config.padding as number[][];
        const pads = constant(`${out}/pads`, [8], BigInt64Array.from([0, 0, top, left, 0, 0, bottom, right].map(BigInt)));
        nodes.push({ op: 'Pad', name: out, inputs: [inputs[0], pads], outputs: [out], attributes: { mode: { string: 'constant' } } });
        break;
      }
      case 'Add':
        nodes.push({ op: 'Add', name: out, inputs, outputs: [out] });
        break;
      case 'GlobalAveragePooling2D':
        nodes.push({ op: 'GlobalAveragePool', name: `${out}/pool`, inputs, outputs: [`${out}/pool`] });
        nodes.push({ op: 'Flatten', name: out, inputs: [`${out}/pool`], outputs: [out], attributes: { axis: { int: 1 } } });
        break;
      default:
        throw new Error(`layer ${layer.name}: ${cls} has no ONNX conversion`);
    }
    valueOf.set(layer.name, out);
  }
  const outputLayer = model.outputLayers[0].name;
  const outDims = model.outputs[0].shape.slice(1) as number[];
  if (outDims.length !== 1) throw new Error(`the model must end in a feature vector, not ${JSON.stringify(outDims)}`);
  return {
    name: model.name,
    nodes,
    initializers,
    inputs: [{ name: inputName, dims: ['batch', ...(inputShape.slice(1) as number[])] }],
    outputs: [{ name: valueOf.get(outputLayer)!, dims: ['batch', ...outDims] }],
  };
}

function missing(name: string): never {
  throw new Error(`layer ${name} is used before it is converted`);
}

/** ONNX pads [top, left, bottom, right] for Keras 'same' (extra padding at the end, like TensorFlow) or 'valid'. */
function samePads(padding: string, inShape: number[], kernel: number[], strides: number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const [begin, end] = [0, 1].map(() => [0, 0]);
  for (let d = 0; d < 2; d++) {
    const outSize = Math.ceil(inShape[d] / strides[d]);
    const total = Math.max((outSize - 1) * strides[d] + kernel[d] - inShape[d], 0);
    begin[d] = Math.floor(total / 2);
    end[d] = total - begin[d];
  }
  return [begin[0], begin[1], end[0], end[1]];
}
