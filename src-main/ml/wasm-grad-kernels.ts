import * as tf from '@tensorflow/tfjs';

/**
 * The gradient kernels tfjs-backend-wasm 4.22 lacks for training a conv net (found by fitting a
 * conv → batchnorm → relu6 → depthwise → conv → add → pool → dense model on wasm: these three are the only ones
 * that throw; AvgPoolGrad, MaxPoolGrad, BatchMatMul and what batchnorm's gradient needs all exist).
 */
export const WASM_MISSING_GRAD_KERNELS = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
] as const;

/**
 * Gradient kernels wasm has but computes with a plain loop: its Conv2DBackpropInput is 4–19× slower than the
 * XNNPACK convolution used below (MobileNetV2's 1×1 convs at 7×7, batch 8: 199 ms against 32 ms).
 */
export const WASM_REPLACED_GRAD_KERNELS = ['Conv2DBackpropInput'] as const;

type Info = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];
type Shape4 = [number, number, number, number];
type Padding = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil';
type Pair = number | [number, number];

const implementations: Record<string, tf.KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
};
const ours = new Set<tf.KernelFunc>(Object.values(implementations));

/**
 * Registers wasm gradient kernels built from fast kernels wasm does have (pad, strided slice, transpose, matmul,
 * XNNPACK conv and depthwise conv), so conv nets train on the wasm backend at a usable speed. Missing kernels are
 * added (and left alone should a future tfjs ship its own); the slow native ones are replaced once the wasm package
 * has registered them, so call this again after importing it. Idempotent; returns the names it registered now.
 */
export function registerWasmGradKernels(): string[] {
  const registered: string[] = [];
  for (const kernelName of WASM_MISSING_GRAD_KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: implementations[kernelName] });
    registered.push(kernelName);
  }
  for (const kernelName of WASM_REPLACED_GRAD_KERNELS) {
    const native = tf.getKernel(kernelName, 'wasm');
    if (!native || ours.has(native.kernelFunc)) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: implementations[kernelName] });
    registered.push(kernelName);
  }
  return registered;
}

/**
 * Runs wasm kernels directly on TensorInfos and frees every intermediate. Calling tf ops from inside a kernel
 * would put them on the gradient tape and in the caller's tidy scope; kernel functions do neither.
 */
class KernelRunner {
  private readonly temps: Info[] = [];
  private readonly backend: tf.KernelBackend;

  constructor(backend: KernelArgs['backend']) {
    this.backend = backend as tf.KernelBackend;
  }

  run(kernelName: string, inputs: tf.NamedTensorInfoMap | Info[], attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${kernelName} is missing`);
    const out = kernel.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend: this.backend, attrs }) as Info;
    this.temps.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  pad(x: Info, paddings: [number, number][]): Info {
    return paddings.every(([a, b]) => a === 0 && b === 0) ? x : this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** Rows `begin[i] + k * strides[i]` for k < size[i]; a no-op when that is the whole tensor. */
  stridedSlice(x: Info, begin: number[], size: number[], strides: number[]): Info {
    if (begin.every((b) => b === 0) && strides.every((s) => s === 1) && size.every((n, i) => n === x.shape[i])) return x;
    const end = begin.map((b, i) => b + (size[i] - 1) * strides[i] + 1);
    return this.run('StridedSlice', { x }, {
      begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
  }

  /** Stacks `parts` (each [1, ...rest]) along axis 0. */
  concat0(parts: Info[]): Info {
    return parts.length === 1 ? parts[0] : this.run('Concat', parts, { axis: 0 });
  }

  /**
   * Frees every intermediate but `result`. Reshapes share data under reference counts, so a result that is a
   * reshape of an intermediate keeps that data alive on its own.
   */
  finish(result: Info): Info {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: Pair; pad: Padding; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: Rounding; filterShape: Shape4;
  };
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter: only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode);
  const k = new KernelRunner(backend);
  const p = info.batchSize * info.outHeight * info.outWidth;
  const xPadded = paddedInput(k, x, info);
  const dy3 = k.reshape(dy, [1, p, info.outChannels]);
  // dW[i, j] = Σ over batch and output positions of x(tap i, j)ᵀ · dy: one matmul per filter tap, so no
  // im2col matrix (fh·fw times the input) is ever materialised. Transposing first is ~9× faster than asking
  // wasm's BatchMatMul for transposeA (MobileNetV2's Conv_1 at batch 8: 31 ms against 289 ms).
  const taps: Info[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const xTap = k.reshape(tapOf(k, xPadded, info, i, j), [p, info.inChannels]);
      const xTapT = k.reshape(k.run('Transpose', { x: xTap }, { perm: [1, 0] }), [1, info.inChannels, p]);
      taps.push(k.run('BatchMatMul', { a: xTapT, b: dy3 }, { transposeA: false, transposeB: false }));
    }
  }
  return k.finish(k.reshape(k.concat0(taps), filterShape));
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: Pair; pad: Padding; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: Rounding; inputShape: Shape4;
  };
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput: only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode);
  const k = new KernelRunner(backend);
  // Correlating with the filter flipped in space and with its in/out channels swapped sends dy back to x.
  const flipped = k.run('Transpose', { x: k.run('Reverse', { x: filter }, { dims: [0, 1] }) }, { perm: [0, 1, 3, 2] });
  return k.finish(k.run('Conv2D', { x: framedForTransposedConv(k, dy, info), filter: flipped }, {
    strides: [1, 1], pad: 'valid', dilations: [1, 1], dataFormat: 'NHWC',
  }));
}

function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: Pair; dilations: Pair; pad: Padding; dimRoundingMode?: Rounding; filterShape: Shape4;
  };
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
  const k = new KernelRunner(backend);
  const p = info.batchSize * info.outHeight * info.outWidth;
  const xPadded = paddedInput(k, x, info);
  const dy3 = k.reshape(dy, [p, info.inChannels, filterShape[3]]);
  // Each channel only meets its own filter slice, so per tap it is an elementwise product summed over positions.
  const taps: Info[] = [];
  for (let i = 0; i < info.filterHeight; i++) {
    for (let j = 0; j < info.filterWidth; j++) {
      const xTap = k.reshape(tapOf(k, xPadded, info, i, j), [p, info.inChannels, 1]);
      taps.push(k.run('Sum', { x: k.run('Multiply', { a: xTap, b: dy3 }) }, { axis: [0], keepDims: true }));
    }
  }
  return k.finish(k.reshape(k.concat0(taps), filterShape));
}

function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: Pair; dilations: Pair; pad: Padding; dimRoundingMode?: Rounding; inputShape: Shape4;
  };
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
  const k = new KernelRunner(backend);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: inC, outChannels: outC } = info;
  // Channel c·m + k of dy came from channel c through filter slice [:, :, c, k]: flip each slice and correlate
  // per output channel, then add up the multiplier's channels.
  const flipped = k.reshape(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [...filter.shape.slice(0, 2), outC, 1]);
  const perOutput = k.run('DepthwiseConv2dNative', { x: framedForTransposedConv(k, dy, info), filter: flipped }, {
    strides: [1, 1], pad: 'valid', dilations: [info.dilationHeight, info.dilationWidth], dataFormat: 'NHWC',
  });
  const multiplier = outC / inC;
  return k.finish(multiplier === 1 ? perOutput
    : k.run('Sum', { x: k.reshape(perOutput, [n, h, w, inC, multiplier]) }, { axis: [4], keepDims: false }));
}

/** The input with the forward pass's zero padding made explicit. */
function paddedInput(k: KernelRunner, x: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { top, bottom, left, right } = info.padInfo;
  return k.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
}

/** The input pixels that filter tap (i, j) saw at every output position: [n, outHeight, outWidth, inChannels]. */
function tapOf(k: KernelRunner, xPadded: Info, info: tf.backend_util.Conv2DInfo, i: number, j: number): Info {
  return k.stridedSlice(
    xPadded,
    [0, i * info.dilationHeight, j * info.dilationWidth, 0],
    [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
    [1, info.strideHeight, info.strideWidth, 1],
  );
}

/**
 * The transposed convolution's input: dy spread back onto the forward stride grid (zeros between), then framed
 * so that a stride-1 'valid' correlation with the flipped filter yields exactly the gradient of the unpadded
 * input, [n, inHeight, inWidth, ·]. Input row r receives dy[y]·W[i] wherever y·stride + i·dilation = r + padTop;
 * rows the forward pass never read (after a 'valid' stride) get zeros.
 */
function framedForTransposedConv(k: KernelRunner, dy: Info, info: tf.backend_util.Conv2DInfo): Info {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: c, strideHeight: sh, strideWidth: sw } = info;
  let spread = dy;
  if (sh > 1 || sw > 1) {
    // Interleaving zeros one axis at a time keeps every pad within rank 3.
    const rows = k.pad(k.reshape(dy, [n * oh, 1, ow * c]), [[0, 0], [0, sh - 1], [0, 0]]);
    const cols = k.pad(k.reshape(rows, [n * oh * sh * ow, 1, c]), [[0, 0], [0, sw - 1], [0, 0]]);
    const grid = k.reshape(cols, [n, oh * sh, ow * sw, c]);
    spread = k.stridedSlice(grid, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c], [1, 1, 1, 1]);
  }
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const before = [fh - 1 - info.padInfo.top, fw - 1 - info.padInfo.left];
  const after = [
    info.inHeight + fh - 1 - spread.shape[1] - before[0],
    info.inWidth + fw - 1 - spread.shape[2] - before[1],
  ];
  // Extreme explicit paddings can make a side negative: pad what is positive, then crop what is negative.
  const padded = k.pad(spread, [
    [0, 0], [Math.max(0, before[0]), Math.max(0, after[0])], [Math.max(0, before[1]), Math.max(0, after[1])], [0, 0]]);
  return k.stridedSlice(
    padded,
    [0, Math.max(0, -before[0]), Math.max(0, -before[1]), 0],
    [n, info.inHeight + fh - 1, info.inWidth + fw - 1, c],
    [1, 1, 1, 1],
  );
}
