import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/ml/backend.ts';
import { registerWasmGradKernels, WASM_MISSING_GRAD_KERNELS } from '../../src-main/ml/wasm-grad-kernels.ts';

type Layer = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;

/** Deterministic values in [-1, 1), identical on every backend. */
function values(shape: number[], seed: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * d(Σ weights ⊙ layer(x, w)) / dx and / dw on `backend`; the random output weights make every output position
 * count differently, so a gradient sent to the wrong pixel or tap cannot cancel out.
 */
async function gradients(backend: string, layer: Layer, xShape: number[], wShape: number[], seed: number) {
  await tf.setBackend(backend);
  const x = tf.tensor4d(values(xShape, seed), xShape as [number, number, number, number]);
  const w = tf.tensor4d(values(wShape, seed + 1), wShape as [number, number, number, number]);
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
    const y = layer(a as tf.Tensor4D, b as tf.Tensor4D);
    return tf.sum(tf.mul(y, tf.tensor(values(y.shape, seed + 2), y.shape)));
  })([x, w]);
  const result = { dx: await dx.data(), dw: await dw.data() };
  dx.dispose();
  dw.dispose();
  // Both the tensors and the backend's own buffers: the kernels' intermediates live below the tensor level.
  const leaked = { tensors: tf.memory().numTensors - tensorsBefore, buffers: tf.backend().numDataIds() - dataBefore };
  x.dispose();
  w.dispose();
  return { ...result, leaked };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

const cases: { name: string; layer: Layer; x: number[]; w: number[] }[] = [];
for (const stride of [1, 2] as const) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push({ name: `conv2d 3×3 stride ${stride} ${pad}`, layer: (x, w) => tf.conv2d(x, w, stride, pad), x: [2, 9, 8, 3], w: [3, 3, 3, 4] });
    cases.push({ name: `conv2d 1×1 stride ${stride} ${pad}`, layer: (x, w) => tf.conv2d(x, w, stride, pad), x: [2, 7, 7, 5], w: [1, 1, 5, 6] });
    cases.push({ name: `depthwise 3×3 stride ${stride} ${pad}`, layer: (x, w) => tf.depthwiseConv2d(x, w, stride, pad), x: [2, 9, 8, 3], w: [3, 3, 3, 1] });
    cases.push({ name: `depthwise 3×3 ×2 channels stride ${stride} ${pad}`, layer: (x, w) => tf.depthwiseConv2d(x, w, stride, pad), x: [2, 9, 8, 3], w: [3, 3, 3, 2] });
  }
}
// Uneven kernels and explicit padding exercise the asymmetric pad and crop arithmetic.
cases.push({ name: 'conv2d 5×4 stride 2 explicit padding', layer: (x, w) => tf.conv2d(x, w, 2, [[0, 0], [1, 2], [2, 0], [0, 0]]), x: [1, 10, 11, 2], w: [5, 4, 2, 3] });
cases.push({ name: 'conv2d 3×3 stride 1 padding wider than the filter', layer: (x, w) => tf.conv2d(x, w, 1, [[0, 0], [4, 0], [0, 3], [0, 0]]), x: [1, 6, 5, 2], w: [3, 3, 2, 3] });
cases.push({ name: 'depthwise 5×5 stride 2 same', layer: (x, w) => tf.depthwiseConv2d(x, w, 2, 'same'), x: [1, 10, 11, 4], w: [5, 5, 4, 1] });

describe('wasm gradient kernels', () => {
  beforeAll(async () => {
    // Before the wasm package is even imported: the missing kernels can be registered by name already.
    expect(registerWasmGradKernels()).toEqual([...WASM_MISSING_GRAD_KERNELS]);
    expect(registerWasmGradKernels()).toEqual([]);
    await initBackend({ force: 'wasm' });
    // initBackend imported wasm (which registered its slow Conv2DBackpropInput) and already swapped that out.
    expect(registerWasmGradKernels()).toEqual([]);
  });

  it.each(cases)('$name: gradients on wasm equal those on cpu', async ({ layer, x, w }) => {
    const seed = x.reduce((a, b) => a * 7 + b, w.reduce((a, b) => a * 3 + b, 1));
    const onCpu = await gradients('cpu', layer, x, w, seed);
    const onWasm = await gradients('wasm', layer, x, w, seed);
    expect(maxAbsDiff(onWasm.dx, onCpu.dx)).toBeLessThan(1e-4);
    expect(maxAbsDiff(onWasm.dw, onCpu.dw)).toBeLessThan(1e-4);
    // Guards against comparing two all-zero gradients.
    expect(Math.max(...Array.from(onCpu.dw, Math.abs))).toBeGreaterThan(0.1);
    expect(onWasm.leaked).toEqual({ tensors: 0, buffers: 0 });
  });

  it('lets a conv → batchnorm → relu6 → depthwise → dense model train on wasm', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [12, 12, 3] });
    let h = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input);
    h = tf.layers.batchNormalization().apply(h);
    h = tf.layers.reLU({ maxValue: 6 }).apply(h);
    h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(h);
    h = tf.layers.globalAveragePooling2d({}).apply(h);
    const output = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const xs = tf.tensor4d(values([6, 12, 12, 3], 5), [6, 12, 12, 3]);
    const ys = tf.tensor2d(values([6, 2], 9), [6, 2]);
    const history = await model.fit(xs, ys, { epochs: 8, batchSize: 6, verbose: 0, shuffle: false });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.9);
    model.dispose();
    xs.dispose();
    ys.dispose();
  });
});
