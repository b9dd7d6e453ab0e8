import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { layersModelToOnnx } from './layers-to-onnx.ts';
import { encodeOnnxModel } from './onnx-proto.ts';

/**
 * Which engine runs a frozen backbone's forward pass. onnxruntime-node runs the same graph with the same weights
 * (converted by layers-to-onnx.ts) natively on every core, ~17× tfjs-wasm's single thread (docs/performance.md);
 * tfjs runs it when onnxruntime-node is not installed, the model does not convert, or a user asks for it
 * (`LOOKALIKE_EMBED_ENGINE=tfjs`). Training never goes through here: models whose weights change stay on tfjs.
 */
export type EngineName = 'onnxruntime-node' | 'tfjs';

/**
 * onnxruntime's intra-op threads by default: every core but one, which is left to libvips decoding the next batch
 * (cachedFeatures overlaps the two), to a training job in the app's worker, and to the UI. Measured on the 2-core
 * machine (docs/performance.md, docs/bench/embed*.json): 1 thread beat 2 in every model at load 7–10, and for
 * ResNet50 and with a training-like load beside it even at load 2.6–4.8, where 2 threads were 1.3× on MobileNetV2
 * alone. `LOOKALIKE_ONNX_THREADS` overrides it.
 */
export function defaultOnnxThreads(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/**
 * onnxruntime's idle pool threads spin, waiting for the next op, by default: on a machine whose cores are shared
 * (other processes, libvips decoding the next batch) that burns the time the others need.
 */
export const DEFAULT_ONNX_SPINNING = false;

/** The parts of onnxruntime-node used here, structurally, so tests can inject a runtime that fails to load. */
export interface OrtRuntime {
  InferenceSession: { create(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

interface OrtSessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: 'all';
  executionMode: 'sequential';
  executionProviders: string[];
  extra: { session: { intra_op: { allow_spinning: '0' | '1' } } };
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release(): Promise<void>;
}

/** Imports onnxruntime-node, or throws why it cannot (an optional dependency: usually the package is absent). */
export type OrtLoader = () => Promise<OrtRuntime>;

/** What embeds in this process, for the backend line: onnxruntime-node with its threads, or tfjs and why. */
export interface EmbedRuntimeInfo {
  name: EngineName;
  /** onnxruntime's intra-op threads. */
  threads?: number;
  /** Why it is not onnxruntime-node (absent when it is). */
  reason?: string;
}

/** Options shared by {@link embedRuntime} and {@link frozenForward}; any given option disables memoisation. */
export interface EngineOptions {
  /** Replaces `import('onnxruntime-node')` (tests inject one that fails). */
  loader?: OrtLoader;
  /** Intra-op threads; defaults to `LOOKALIKE_ONNX_THREADS` or {@link defaultOnnxThreads}. */
  threads?: number;
  /** `tfjs` keeps every model on tfjs; `auto` or empty tries onnxruntime-node. Defaults to `LOOKALIKE_EMBED_ENGINE`. */
  force?: string;
  /** Whether idle intra-op threads busy-wait for work (onnxruntime's default); defaults to {@link DEFAULT_ONNX_SPINNING}. */
  spinning?: boolean;
}

/** A loaded model's forward pass, on one engine. */
export interface ForwardEngine {
  readonly name: EngineName;
  /**
   * Why this model runs on tfjs although onnxruntime-node is loaded (a layer that does not convert, a session that
   * failed). When onnxruntime-node itself is unavailable, {@link embedRuntime} says why and this is absent.
   */
  readonly fellBack?: string;
  /** The model's outputs for a preprocessed NHWC batch, row after row (maps channels-last); `x` is not disposed. */
  forward(x: tf.Tensor4D): Promise<Float32Array>;
}

const PACKAGE = 'onnxruntime-node';

// The specifier is a variable so that neither TypeScript nor the bundler insists on the optional package.
const defaultLoader: OrtLoader = async () => (await import(/* @vite-ignore */ PACKAGE)) as unknown as OrtRuntime;

let runtimeMemo: Promise<{ ort?: OrtRuntime; info: EmbedRuntimeInfo }> | undefined;
const engines = new WeakMap<tf.LayersModel, Map<string, Promise<ForwardEngine>>>();

function threadsFrom(options: EngineOptions): number {
  const env = Number(process.env.LOOKALIKE_ONNX_THREADS);
  const threads = options.threads ?? (Number.isInteger(env) && env > 0 ? env : defaultOnnxThreads());
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`onnxruntime threads must be a positive integer, got ${threads}`);
  return threads;
}

async function loadRuntime(options: EngineOptions): Promise<{ ort?: OrtRuntime; info: EmbedRuntimeInfo }> {
  const force = (options.force ?? process.env.LOOKALIKE_EMBED_ENGINE ?? '').trim().toLowerCase();
  if (force === 'tfjs') return { info: { name: 'tfjs', reason: 'LOOKALIKE_EMBED_ENGINE=tfjs' } };
  const threads = threadsFrom(options);
  try {
    return { ort: await (options.loader ?? defaultLoader)(), info: { name: 'onnxruntime-node', threads } };
  } catch (error) {
    return { info: { name: 'tfjs', reason: reasonOf(error) } };
  }
}

function runtime(options: EngineOptions) {
  const injected = options.loader !== undefined || options.threads !== undefined || options.force !== undefined;
  if (injected) return loadRuntime(options);
  runtimeMemo ??= loadRuntime(options);
  return runtimeMemo;
}

/**
 * tfjs-node and tfjs-node-gpu (both register tfjs's `tensorflow` backend) are native already and, on a GPU, faster
 * than onnxruntime's CPU provider: where they install they stay the engine of everything, as the issue asks.
 */
const NATIVE_TFJS = 'tensorflow';

/**
 * Which engine embeds in this process: onnxruntime-node when it loads and tfjs runs on wasm or cpu, else tfjs
 * (with why). `tfjsBackend` is tfjs's backend name (`tf.getBackend()` by default). Memoised unless options are given.
 */
export async function embedRuntime(options: EngineOptions = {}, tfjsBackend: string = tf.getBackend()): Promise<EmbedRuntimeInfo> {
  if (tfjsBackend === NATIVE_TFJS) return { name: 'tfjs', reason: 'tfjs-node is native already' };
  return (await runtime(options)).info;
}

/** `onnxruntime-node (cpu, 2 threads)`, or `tfjs wasm (onnxruntime-node not installed)` with tfjs's backend name. */
export function describeEmbedRuntime(info: EmbedRuntimeInfo, tfjsBackend: string): string {
  if (info.name === 'onnxruntime-node') return `onnxruntime-node (cpu, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
  return `tfjs ${tfjsBackend}${info.reason ? ` (${info.reason})` : ''}`;
}

/**
 * The forward engine of a FROZEN model: an onnxruntime session built once from its current weights (cached for
 * the model's life, per threads / spinning / force setting), or tfjs when that cannot be had — with the reason,
 * never a crash. The session is a snapshot: never use this for a model whose weights still train (finetune's
 * model, partial's suffix). An injected `loader` is never memoised.
 */
export function frozenForward(model: tf.LayersModel, options: EngineOptions = {}): Promise<ForwardEngine> {
  if (options.loader) return buildEngine(model, options);
  const key = `${options.threads ?? ''}|${options.spinning ?? ''}|${options.force ?? ''}`;
  let perModel = engines.get(model);
  if (!perModel) engines.set(model, (perModel = new Map()));
  let engine = perModel.get(key);
  if (!engine) {
    engine = buildEngine(model, options);
    perModel.set(key, engine);
  }
  return engine;
}

/** The model's forward pass in tfjs, as Lookalike always ran it. */
export function tfjsForward(model: tf.LayersModel, fellBack?: string): ForwardEngine {
  return {
    name: 'tfjs',
    ...(fellBack ? { fellBack } : {}),
    async forward(x) {
      const y = tf.tidy(() => model.predict(x) as tf.Tensor);
      try {
        return (await y.data()) as Float32Array;
      } finally {
        y.dispose();
      }
    },
  };
}

async function buildEngine(model: tf.LayersModel, options: EngineOptions): Promise<ForwardEngine> {
  if (tf.getBackend() === NATIVE_TFJS) return tfjsForward(model);
  const { ort, info } = await runtime(options);
  // Not installed (or forced off) is the process's state, which the backend line already says.
  if (!ort) return tfjsForward(model);
  let session: OrtSession;
  try {
    const bytes = encodeOnnxModel(layersModelToOnnx(model));
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: info.threads!,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      executionProviders: ['cpu'],
      extra: { session: { intra_op: { allow_spinning: (options.spinning ?? DEFAULT_ONNX_SPINNING) ? '1' : '0' } } },
    });
  } catch (error) {
    return tfjsForward(model, `${model.name} runs on tfjs: ${firstLine(error)}`);
  }
  const outShape = model.outputs[0].shape.slice(1) as number[];
  const perRow = outShape.reduce((a, b) => a * b, 1);
  const fallback = tfjsForward(model);
  let failed: string | undefined;
  return {
    name: 'onnxruntime-node',
    get fellBack() {
      return failed;
    },
    async forward(x) {
      if (failed) return fallback.forward(x);
      const input = (await x.data()) as Float32Array;
      try {
        const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, x.shape) });
        const data = out[session.outputNames[0]].data as Float32Array;
        if (data.length !== x.shape[0] * perRow) throw new Error(`onnxruntime gave ${data.length} values for ${x.shape[0]} × ${perRow}`);
        return data;
      } catch (error) {
        // A session that cannot run (out of memory, a kernel onnxruntime lacks here) must not stop the job.
        failed = `${model.name} runs on tfjs: onnxruntime failed: ${firstLine(error)}`;
        await session.release().catch(() => {});
        return fallback.forward(x);
      }
    },
  };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((error as Error).message).includes(`'${PACKAGE}'`)) {
    return `${PACKAGE} not installed`;
  }
  return `${PACKAGE} failed: ${firstLine(error)}`;
}
