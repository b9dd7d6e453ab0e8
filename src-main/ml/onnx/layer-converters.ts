import type * as tf from '@tensorflow/tfjs';
import { GEM_EPS } from '../feature-pooling.ts';
import type { OnnxAttribute } from './onnx-proto.ts';

/** A converted tensor: its ONNX value name and its tfjs (channels-last) shape. Rank-4 values are NCHW in ONNX. */
export interface OnnxValue {
  name: string;
  shape: tf.Shape;
}

/** What a layer's conversion adds to the graph with. */
export interface GraphBuilder {
  /** Adds a node with one output and returns that output's name (`name`, or a generated one). */
  node(op: string, inputs: readonly string[], attributes?: Record<string, OnnxAttribute>, name?: string): string;
  /** Adds an initializer and returns its name. */
  constant(name: string, dims: readonly number[], data: Float32Array | BigInt64Array): string;
}

type Config = Record<string, unknown>;

/**
 * Adds the ONNX nodes computing one layer's output from its inputs; returns the output's name. The numerics are
 * tfjs's, op for op, so features agree to float rounding (the engine's tests hold them to 1e-4).
 * @throws Error saying what is not supported (the caller adds the layer's name).
 */
export function convertLayer(g: GraphBuilder, layer: tf.layers.Layer, inputs: readonly OnnxValue[]): string {
  const cls = layer.getClassName();
  const config = layer.getConfig() as Config;
  const name = layer.name;
  const weights = layer.getWeights();
  const data = (i: number) => Float32Array.from(weights[i].dataSync() as Float32Array);
  const x = inputs[0];
  switch (cls) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
      channelsLast(config);
      return activation(g, `${name}/act`, conv(g, name, cls === 'DepthwiseConv2D', config, x, weights.map((w) => w.shape as number[]), data), config.activation);
    case 'BatchNormalization': {
      const axis = config.axis as number | number[];
      if (!(axis === -1 || axis === 3 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3)))) {
        throw new Error(`BatchNormalization over axis ${JSON.stringify(axis)} (only the channel axis converts)`);
      }
      const channels = weights[weights.length - 1].shape[0];
      let at = 0;
      const gamma = config.scale ? data(at++) : new Float32Array(channels).fill(1);
      const beta = config.center ? data(at++) : new Float32Array(channels);
      const [mean, variance] = [data(at++), data(at++)];
      const c = (suffix: string, v: Float32Array) => g.constant(`${name}/${suffix}`, [channels], v);
      return g.node('BatchNormalization', [x.name, c('gamma', gamma), c('beta', beta), c('mean', mean), c('var', variance)], { epsilon: { float: config.epsilon as number } }, name);
    }
    case 'ReLU': {
      const max = config.maxValue as number | null | undefined;
      if (config.threshold || config.negativeSlope) throw new Error('ReLU with a threshold or a negative slope');
      return max == null ? g.node('Relu', [x.name], undefined, name) : clip(g, name, x.name, 0, max);
    }
    case 'Activation':
      return activation(g, name, x.name, config.activation);
    case 'ZeroPadding2D': {
      channelsLast(config);
      const [[top, bottom], [left, right]] = config.padding as number[][];
      const pads = g.constant(`${name}/pads`, [8], BigInt64Array.from([0, 0, top, left, 0, 0, bottom, right].map(BigInt)));
      return g.node('Pad', [x.name, pads], { mode: { string: 'constant' } }, name);
    }
    case 'MaxPooling2D': {
      channelsLast(config);
      const kernel = config.poolSize as number[];
      const strides = (config.strides as number[] | null) ?? kernel;
      // 'same' pads are ignored by MaxPool's maximum, as TensorFlow ignores them.
      const pads = samePads(config.padding as string, spatial(x), kernel, strides);
      return g.node('MaxPool', [x.name], { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: pads } }, name);
    }
    case 'Add':
      return inputs.slice(1).reduce((sum, v, i) => g.node('Add', [sum, v.name], undefined, i === inputs.length - 2 ? name : `${name}/${i}`), x.name);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      channelsLast(config);
      if (config.keepDims) throw new Error(`${cls} with keepDims`);
      return pool2d(g, name, x.name, cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool');
    case 'RecipePool':
      return recipePool(g, name, inputs, config.pooling as string, config.p as number);
    default:
      throw new Error(`${cls} has no ONNX conversion`);
  }
}

function channelsLast(config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') throw new Error(`data format ${String(config.dataFormat)}`);
}

const spatial = (v: OnnxValue) => v.shape.slice(1, 3) as number[];

/** Conv2D / DepthwiseConv2D: the kernel rearranged from tfjs's [kh, kw, in, out|mult] to ONNX's [out, in/group, kh, kw]. */
function conv(g: GraphBuilder, name: string, depthwise: boolean, config: Config, x: OnnxValue, shapes: number[][], data: (i: number) => Float32Array): string {
  const [kh, kw, cin, cout] = shapes[0]; // depthwise: cout is the channel multiplier
  const outChannels = depthwise ? cin * cout : cout;
  const w = new Float32Array(outChannels * (depthwise ? 1 : cin) * kh * kw);
  const k = data(0);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) {
          const v = k[((i * kw + j) * cin + c) * cout + o];
          // Depthwise (group = cin): output channel c·mult + o reads input channel c alone.
          if (depthwise) w[((c * cout + o) * kh + i) * kw + j] = v;
          else w[((o * cin + c) * kh + i) * kw + j] = v;
        }
  const strides = config.strides as number[];
  const rate = (config.dilationRate as number[] | number | undefined) ?? [1, 1];
  const dilations = typeof rate === 'number' ? [rate, rate] : rate;
  // A dilated kernel covers (k − 1)·d + 1 pixels: that is what 'same' pads for.
  const span = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1];
  const inputs = [x.name, g.constant(`${name}/W`, [outChannels, depthwise ? 1 : cin, kh, kw], w)];
  if (config.useBias) inputs.push(g.constant(`${name}/B`, [outChannels], data(1)));
  return g.node('Conv', inputs, {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: strides },
    dilations: { ints: dilations },
    group: { int: depthwise ? cin : 1 },
    pads: { ints: samePads(config.padding as string, spatial(x), span, strides) },
  }, name);
}

/** Keras activations by name (fused into a conv, or an Activation layer); `linear` adds nothing. */
function activation(g: GraphBuilder, name: string, x: string, fn: unknown): string {
  switch (fn ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return g.node('Relu', [x], undefined, name);
    case 'relu6':
      return clip(g, name, x, 0, 6);
    case 'sigmoid':
      return g.node('Sigmoid', [x], undefined, name);
    case 'tanh':
      return g.node('Tanh', [x], undefined, name);
    default:
      throw new Error(`activation ${String(fn)} has no ONNX conversion`);
  }
}

function clip(g: GraphBuilder, name: string, x: string, min: number, max: number): string {
  return g.node('Clip', [x, g.constant(`${name}/min`, [], new Float32Array([min])), g.constant(`${name}/max`, [], new Float32Array([max]))], undefined, name);
}

/** [n, c, h, w] → [n, c] through a global pool. */
function pool2d(g: GraphBuilder, name: string, x: string, op: 'GlobalAveragePool' | 'GlobalMaxPool'): string {
  return g.node('Flatten', [g.node(op, [x], undefined, `${name}/pool`)], { axis: { int: 1 } }, name);
}

/** tfjs's l2NormaliseRows: x / sqrt(max(Σx², 1e-12)) along the feature axis. */
function l2Rows(g: GraphBuilder, name: string, x: string): string {
  const sumSq = g.node('ReduceSumSquare', [x], { axes: { ints: [1] }, keepdims: { int: 1 } }, `${name}/sumsq`);
  const floor = g.node('Max', [sumSq, g.constant(`${name}/eps`, [], new Float32Array([1e-12]))], undefined, `${name}/floor`);
  return g.node('Div', [x, g.node('Sqrt', [floor], undefined, `${name}/norm`)], undefined, name);
}

/**
 * RecipePool (src-main/ml/feature-pooling.ts): each input map pooled (avg, max, or GeM on the map clamped at
 * GEM_EPS), vectors taken as they are, each part L2-normalised, concatenated, normalised again.
 */
function recipePool(g: GraphBuilder, name: string, inputs: readonly OnnxValue[], pooling: string, p: number): string {
  if (pooling === 'gem' && !(p > 0)) throw new Error(`GeM's p must be positive, got ${p}`);
  const parts = inputs.map((v, i) => {
    const part = `${name}/part${i}`;
    let pooled: string;
    if (v.shape.length === 2) pooled = v.name;
    else if (v.shape.length !== 4) throw new Error(`RecipePool input of rank ${v.shape.length}`);
    else if (pooling === 'avg') pooled = pool2d(g, `${part}/avg`, v.name, 'GlobalAveragePool');
    else if (pooling === 'max') pooled = pool2d(g, `${part}/max`, v.name, 'GlobalMaxPool');
    else if (pooling === 'gem') {
      const clamped = g.node('Max', [v.name, g.constant(`${part}/eps`, [], new Float32Array([GEM_EPS]))], undefined, `${part}/clamp`);
      const powered = g.node('Pow', [clamped, g.constant(`${part}/p`, [], new Float32Array([p]))], undefined, `${part}/pow`);
      const mean = pool2d(g, `${part}/mean`, powered, 'GlobalAveragePool');
      pooled = g.node('Pow', [mean, g.constant(`${part}/inv_p`, [], new Float32Array([1 / p]))], undefined, `${part}/gem`);
    } else throw new Error(`RecipePool pooling ${pooling}`);
    return l2Rows(g, `${part}/l2`, pooled);
  });
  // One part is normalised twice, as concatNormalised does (the second pass changes it only by rounding).
  const joined = parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: { int: 1 } }, `${name}/concat`);
  return l2Rows(g, name, joined);
}

/** ONNX pads [top, left, bottom, right] for Keras 'same' (extra padding at the end, like TensorFlow) or 'valid'. */
export function samePads(padding: string, inShape: number[], kernel: number[], strides: number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`padding ${padding}`);
  if (inShape.some((d) => d == null)) throw new Error("'same' padding needs a fixed input size");
  const [begin, end] = [0, 1].map(() => [0, 0]);
  for (let d = 0; d < 2; d++) {
    const outSize = Math.ceil(inShape[d] / strides[d]);
    const total = Math.max((outSize - 1) * strides[d] + kernel[d] - inShape[d], 0);
    begin[d] = Math.floor(total / 2);
    end[d] = total - begin[d];
  }
  return [begin[0], begin[1], end[0], end[1]];
}
