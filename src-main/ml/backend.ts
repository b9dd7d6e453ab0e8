import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmGradKernels } from './wasm-grad-kernels.ts';
import { describeEmbedRuntime, embedRuntime, type EmbedRuntimeInfo, type EngineOptions } from './onnx/onnx-engine.ts';

/** Lookalike's names for the compute backends, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Fallback order when nothing is forced. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** What {@link initBackend} settled on, and why it skipped the faster ones. */
export interface BackendInfo {
  name: BackendName;
  /** Where the maths really runs: tfjs-node-gpu without a visible GPU runs on the CPU. */
  device: 'gpu' | 'cpu';
  /** One entry per faster backend that was tried and skipped, in order, each reason on one line. */
  fellBack: { name: BackendName; reason: string }[];
  /** Why `device` is not what the backend's name promises (tfjs-node-gpu that found no GPU). */
  deviceNote?: string;
  /** Compute threads, where the backend says (wasm: XNNPACK's pool; cpu: the single JS thread). */
  threads?: number;
  /**
   * What runs frozen backbones' forward passes (feature extraction, untrained and head/partial embedding):
   * onnxruntime-node when it loads, else tfjs on this backend. Training always runs on this backend.
   */
  embeds: EmbedRuntimeInfo;
}

/** What a loader reports once its backend is the active, ready tfjs backend. */
export interface LoadedBackend {
  device: 'gpu' | 'cpu';
  deviceNote?: string;
  threads?: number;
}

/**
 * Makes one backend the active tfjs backend (`tf.setBackend` + `tf.ready`) or throws an error whose first line
 * says why not. Injectable so tests can check the order and the reasons without the native packages.
 */
export type BackendLoader = () => Promise<LoadedBackend>;

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `tensorflow-gpu` | `tensorflow` | `wasm` | `cpu` forces that backend (an unavailable one is an error);
   * `auto` or empty walks {@link BACKEND_ORDER}. Defaults to `process.env.LOOKALIKE_BACKEND`.
   */
  force?: string;
  /** Receives the one-line summary ({@link describeBackend}) once a backend is chosen. */
  log?: (line: string) => void;
  /** Replaces some or all of the real loaders; calls with injected loaders are never memoised. */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** How the embedding engine is probed (tests inject a failing onnxruntime loader). */
  embed?: EngineOptions;
}

let memo: { key: string; info: Promise<BackendInfo> } | undefined;

/**
 * Picks and activates the fastest compute backend that works here: tfjs-node-gpu → tfjs-node → wasm → cpu.
 * Every skipped backend is listed with a one-line reason; a forced backend that cannot load is an error.
 * Memoised per process for a given `force`, so every service can call it before its first op; nothing happens
 * at import time.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const force = (options.force ?? process.env.LOOKALIKE_BACKEND ?? '').trim().toLowerCase();
  if (options.loaders || options.embed) return chooseBackend(force, { ...defaultLoaders, ...options.loaders }, options.log, options.embed);
  if (memo?.key === force) return memo.info;
  const info = chooseBackend(force, defaultLoaders, options.log, undefined);
  memo = { key: force, info };
  // A failed attempt (a forced backend that is missing) must not stick: the next call may ask for another.
  info.catch(() => {
    if (memo?.info === info) memo = undefined;
  });
  return info;
}

/**
 * The line the CLI and the app print: tfjs's backend and why the faster ones were skipped, then which engine
 * embeds and which trains, e.g. `backend: wasm (cpu) — tfjs-node-gpu not installed; tfjs-node not installed ·
 * embeds: onnxruntime-node (cpu, 2 threads) · trains: tfjs wasm`.
 */
export function describeBackend(info: BackendInfo): string {
  const why = [...info.fellBack.map((f) => f.reason), ...(info.deviceNote ? [info.deviceNote] : [])];
  const tfjs = `${info.name}${info.device === 'gpu' ? ' (gpu)' : ''}`;
  return `backend: ${info.name} (${info.device})${why.length ? ` — ${why.join('; ')}` : ''} · embeds: ${describeEmbedRuntime(info.embeds, tfjs)} · trains: tfjs ${tfjs}`;
}

async function chooseBackend(
  force: string,
  loaders: Record<BackendName, BackendLoader>,
  log: ((line: string) => void) | undefined,
  embed: EngineOptions | undefined,
): Promise<BackendInfo> {
  const forced = force === '' || force === 'auto' ? undefined : force;
  if (forced !== undefined && !isBackendName(forced)) {
    throw new Error(`LOOKALIKE_BACKEND=${force} is not one of ${BACKEND_ORDER.join(', ')} (or auto)`);
  }
  const candidates = forced ? [forced] : BACKEND_ORDER;
  const fellBack: BackendInfo['fellBack'] = [];
  for (const name of candidates) {
    let loaded: LoadedBackend;
    try {
      loaded = await loaders[name]();
    } catch (error) {
      const reason = reasonOf(name, error);
      if (forced) throw new Error(`LOOKALIKE_BACKEND=${forced} is unavailable: ${reason}`);
      fellBack.push({ name, reason });
      continue;
    }
    if (forced === 'tensorflow-gpu' && loaded.device !== 'gpu') {
      // Whoever forces the GPU wants the GPU; quietly training on the CPU instead is the trap to avoid.
      throw new Error(`LOOKALIKE_BACKEND=tensorflow-gpu is unavailable: ${loaded.deviceNote ?? 'no GPU device'}`);
    }
    // Our name, not tf.getBackend(): injected loaders activate nothing, and both native packages are 'tensorflow'.
    const tfjsName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
    const info: BackendInfo = { name, device: loaded.device, fellBack, embeds: await embedRuntime(embed, tfjsName) };
    if (loaded.deviceNote) info.deviceNote = loaded.deviceNote;
    if (loaded.threads !== undefined) info.threads = loaded.threads;
    log?.(describeBackend(info));
    return info;
  }
  throw new Error(`no compute backend could start: ${fellBack.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}

function isBackendName(name: string): name is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

const PACKAGE_OF: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

/**
 * One line, short enough for a status bar: native load errors can carry a page of dlopen detail. The backend's
 * own package missing is the common, expected case and reads as just "<package> not installed".
 */
function reasonOf(name: BackendName, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const pkg = PACKAGE_OF[name];
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${pkg}'`)) {
    return `${pkg.replace('@tensorflow/', '')} not installed`;
  }
  const firstLine = message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
  const clipped = firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
  return `${name} failed: ${clipped}`;
}

/** Shape of tfjs-node's NodeJSKernelBackend that we rely on (both native packages share it). */
interface NodeKernelBackend {
  isUsingGpuDevice?: boolean;
}

/**
 * Imports a native tfjs-node package, which registers the 'tensorflow' backend. The specifier is a variable so
 * neither TypeScript nor the bundler insists on an optional dependency that is usually absent (its install
 * downloads libtensorflow).
 */
async function importNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<void> {
  const specifier = PACKAGE_OF[name];
  await import(specifier);
}

/** `tf.setBackend` reports a backend that fails to initialise by resolving false, not by throwing. */
async function activate(tfName: string): Promise<void> {
  if (!(await tf.setBackend(tfName))) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
}

const defaultLoaders: Record<BackendName, BackendLoader> = {
  async 'tensorflow-gpu'() {
    await importNative('tensorflow-gpu');
    await activate('tensorflow');
    // tfjs-node-gpu loads fine when libcudart or the device is missing: TensorFlow then just runs on the CPU.
    const onGpu = (tf.backend() as NodeKernelBackend).isUsingGpuDevice === true;
    return onGpu
      ? { device: 'gpu' }
      : { device: 'cpu', deviceNote: 'tfjs-node-gpu sees no GPU device (CUDA/cuDNN missing?), running on cpu' };
  },
  async tensorflow() {
    await importNative('tensorflow');
    await activate('tensorflow');
    return { device: 'cpu' };
  },
  async wasm() {
    return withoutNewProcessHandlers(async () => {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the .wasm binaries are read from disk next to the package's entry file, never fetched.
      const distDir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir + path.sep);
      // Once for the kernels wasm lacks, and (now that the package registered its own) to replace the slow ones.
      registerWasmGradKernels();
      await activate('wasm');
      return { device: 'cpu', threads: wasm.getThreadsCount() };
    });
  },
  async cpu() {
    await activate('cpu');
    return { device: 'cpu', threads: 1 };
  },
};

/**
 * The Emscripten runtime inside tfjs-backend-wasm installs process-wide `uncaughtException` and
 * `unhandledRejection` handlers that rethrow. They would crash a worker whose own handler meant to log and carry
 * on, and they print the whole minified wasm glue as the error location; without them Node behaves as before.
 */
async function withoutNewProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const uncaught = process.listeners('uncaughtException');
  const unhandled = process.listeners('unhandledRejection');
  try {
    return await start();
  } finally {
    for (const listener of process.listeners('uncaughtException')) {
      if (!uncaught.includes(listener)) process.removeListener('uncaughtException', listener);
    }
    for (const listener of process.listeners('unhandledRejection')) {
      if (!unhandled.includes(listener)) process.removeListener('unhandledRejection', listener);
    }
  }
}
