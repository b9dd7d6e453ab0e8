import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  describeBackend, initBackend, type BackendLoader, type BackendName, type LoadedBackend,
} from '../../src-main/ml/backend.ts';
import { defaultOnnxThreads } from '../../src-main/ml/onnx/onnx-engine.ts';

const threads = defaultOnnxThreads();
const threadsText = `${threads} thread${threads === 1 ? '' : 's'}`;

/** What Node throws for `import('<pkg>')` when the package is absent. */
function notInstalled(pkg: string): Error {
  return Object.assign(new Error(`Cannot find package '${pkg}' imported from /app/src-main/ml/backend.ts`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

/** Fake loaders that record the order they were tried in. */
function fakeLoaders(behaviour: Partial<Record<BackendName, () => LoadedBackend>>) {
  const tried: BackendName[] = [];
  const loaders = {} as Record<BackendName, BackendLoader>;
  for (const name of ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const) {
    loaders[name] = async () => {
      tried.push(name);
      const behave = behaviour[name];
      if (!behave) throw new Error(`${name} should not have been tried`);
      return behave();
    };
  }
  return { loaders, tried };
}

const missingGpu = () => { throw notInstalled('@tensorflow/tfjs-node-gpu'); };
const missingNode = () => { throw notInstalled('@tensorflow/tfjs-node'); };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('initBackend fallback order (fake loaders)', () => {
  it('walks tfjs-node-gpu → tfjs-node → wasm and stops at the first that works', async () => {
    const { loaders, tried } = fakeLoaders({
      'tensorflow-gpu': missingGpu, tensorflow: missingNode, wasm: () => ({ device: 'cpu', threads: 1 }),
    });
    const lines: string[] = [];
    const info = await initBackend({ force: 'auto', loaders, log: (line) => lines.push(line) });
    expect(tried).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm']);
    expect(info).toEqual({
      name: 'wasm', device: 'cpu', threads: 1,
      fellBack: [
        { name: 'tensorflow-gpu', reason: 'tfjs-node-gpu not installed' },
        { name: 'tensorflow', reason: 'tfjs-node not installed' },
      ],
      embeds: { name: 'onnxruntime-node', threads },
    });
    expect(describeBackend(info)).toBe(
      `backend: wasm (cpu) — tfjs-node-gpu not installed; tfjs-node not installed · embeds: onnxruntime-node (cpu, ${threadsText}) · trains: tfjs wasm`);
    expect(lines).toEqual([describeBackend(info)]);
  });

  it('reaches cpu when wasm cannot start either, and picks tfjs-node first when it loads', async () => {
    const toCpu = fakeLoaders({
      'tensorflow-gpu': missingGpu, tensorflow: missingNode,
      wasm: () => { throw new Error("tf.setBackend('wasm') failed"); }, cpu: () => ({ device: 'cpu' }),
    });
    const info = await initBackend({ force: 'auto', loaders: toCpu.loaders });
    expect(toCpu.tried).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(info.name).toBe('cpu');
    expect(info.fellBack.map((f) => f.reason)).toEqual([
      'tfjs-node-gpu not installed', 'tfjs-node not installed', "wasm failed: tf.setBackend('wasm') failed"]);

    const toNode = fakeLoaders({ 'tensorflow-gpu': missingGpu, tensorflow: () => ({ device: 'cpu' }) });
    expect((await initBackend({ force: 'auto', loaders: toNode.loaders })).name).toBe('tensorflow');
    expect(toNode.tried).toEqual(['tensorflow-gpu', 'tensorflow']);
  });

  it('turns a missing CUDA library into a one-line reason instead of a crash', async () => {
    const dlopen = new Error(
      'libcudart.so.11.0: cannot open shared object file: No such file or directory\n' +
      '    at Module._extensions..node (node:internal/modules/cjs/loader:1460:18)\n    at Module.load (...)');
    const { loaders } = fakeLoaders({
      'tensorflow-gpu': () => { throw dlopen; }, tensorflow: missingNode, wasm: () => ({ device: 'cpu' }),
    });
    const info = await initBackend({ force: 'auto', loaders });
    expect(info.fellBack[0]).toEqual({
      name: 'tensorflow-gpu',
      reason: 'tensorflow-gpu failed: libcudart.so.11.0: cannot open shared object file: No such file or directory',
    });
    expect(describeBackend(info)).not.toContain('\n');
  });

  it('reports a GPU package that sees no GPU as running on the cpu', async () => {
    const note = 'tfjs-node-gpu sees no GPU device (CUDA/cuDNN missing?), running on cpu';
    const { loaders, tried } = fakeLoaders({ 'tensorflow-gpu': () => ({ device: 'cpu', deviceNote: note }) });
    const info = await initBackend({ force: 'auto', loaders });
    expect(tried).toEqual(['tensorflow-gpu']);
    expect(info).toMatchObject({ name: 'tensorflow-gpu', device: 'cpu', deviceNote: note });
    expect(describeBackend(info)).toBe(`backend: tensorflow-gpu (cpu) — ${note} · embeds: tfjs tensorflow-gpu (tfjs-node is native already) · trains: tfjs tensorflow-gpu`);
  });
});

describe('the engine that embeds', () => {
  it('says tfjs embeds, and why, when onnxruntime-node cannot load — and the app still starts', async () => {
    const { loaders } = fakeLoaders({ 'tensorflow-gpu': missingGpu, tensorflow: missingNode, wasm: () => ({ device: 'cpu', threads: 1 }) });
    const missingOrt = async () => { throw notInstalled('onnxruntime-node'); };
    const info = await initBackend({ force: 'auto', loaders, embed: { loader: missingOrt } });
    expect(info.embeds).toEqual({ name: 'tfjs', reason: 'onnxruntime-node not installed' });
    expect(describeBackend(info)).toBe(
      'backend: wasm (cpu) — tfjs-node-gpu not installed; tfjs-node not installed · embeds: tfjs wasm (onnxruntime-node not installed) · trains: tfjs wasm');
    const broken = await initBackend({ force: 'auto', loaders, embed: { loader: async () => { throw new Error('libonnxruntime.so.1: cannot open shared object file\n at dlopen'); } } });
    expect(describeBackend(broken)).toContain('embeds: tfjs wasm (onnxruntime-node failed: libonnxruntime.so.1: cannot open shared object file) · trains: tfjs wasm');
  });

  it('keeps embedding on tfjs-node where it installs, and on tfjs when the user asks for it', async () => {
    const native = fakeLoaders({ 'tensorflow-gpu': missingGpu, tensorflow: () => ({ device: 'cpu' }) });
    const info = await initBackend({ force: 'auto', loaders: native.loaders });
    expect(describeBackend(info)).toBe('backend: tensorflow (cpu) — tfjs-node-gpu not installed · embeds: tfjs tensorflow (tfjs-node is native already) · trains: tfjs tensorflow');
    const wasm = fakeLoaders({ wasm: () => ({ device: 'cpu', threads: 1 }) });
    const forced = await initBackend({ force: 'wasm', loaders: wasm.loaders, embed: { force: 'tfjs', threads: 1 } });
    expect(describeBackend(forced)).toBe('backend: wasm (cpu) · embeds: tfjs wasm (LOOKALIKE_EMBED_ENGINE=tfjs) · trains: tfjs wasm');
    const oneThread = await initBackend({ force: 'wasm', loaders: wasm.loaders, embed: { threads: 1 } });
    expect(describeBackend(oneThread)).toBe('backend: wasm (cpu) · embeds: onnxruntime-node (cpu, 1 thread) · trains: tfjs wasm');
    vi.stubEnv('LOOKALIKE_ONNX_THREADS', '3');
    const fromEnv = await initBackend({ force: 'wasm', loaders: wasm.loaders, embed: { force: 'auto' } });
    expect(describeBackend(fromEnv)).toBe('backend: wasm (cpu) · embeds: onnxruntime-node (cpu, 3 threads) · trains: tfjs wasm');
  });
});

describe('forcing a backend', () => {
  it('uses only the forced backend, from LOOKALIKE_BACKEND when no option is given', async () => {
    const explicit = fakeLoaders({ cpu: () => ({ device: 'cpu' }) });
    expect((await initBackend({ force: 'cpu', loaders: explicit.loaders })).fellBack).toEqual([]);
    expect(explicit.tried).toEqual(['cpu']);

    vi.stubEnv('LOOKALIKE_BACKEND', 'WASM');
    const fromEnv = fakeLoaders({ wasm: () => ({ device: 'cpu' }) });
    expect((await initBackend({ loaders: fromEnv.loaders })).name).toBe('wasm');
    expect(fromEnv.tried).toEqual(['wasm']);
  });

  it('fails clearly when the forced backend is unavailable or unknown', async () => {
    const { loaders } = fakeLoaders({
      'tensorflow-gpu': () => ({ device: 'cpu', deviceNote: 'tfjs-node-gpu sees no GPU device' }),
      tensorflow: missingNode,
    });
    await expect(initBackend({ force: 'tensorflow', loaders }))
      .rejects.toThrow('LOOKALIKE_BACKEND=tensorflow is unavailable: tfjs-node not installed');
    // Forcing the GPU and silently getting the CPU is exactly the trap the variable is meant to avoid.
    await expect(initBackend({ force: 'tensorflow-gpu', loaders }))
      .rejects.toThrow('LOOKALIKE_BACKEND=tensorflow-gpu is unavailable: tfjs-node-gpu sees no GPU device');
    await expect(initBackend({ force: 'gpu', loaders }))
      .rejects.toThrow('LOOKALIKE_BACKEND=gpu is not one of tensorflow-gpu, tensorflow, wasm, cpu (or auto)');
  });
});

describe('initBackend on this machine', () => {
  it('loads nothing at import time, then ends on wasm with the native packages reported missing', async () => {
    expect(tf.findBackendFactory('wasm')).toBeNull();
    const handlers = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const handlersBefore = handlers();
    const info = await initBackend({ force: 'auto' });
    // wasm's Emscripten glue would otherwise leave process-wide handlers that rethrow every unhandled rejection.
    expect(handlers()).toEqual(handlersBefore);
    expect(info.name).toBe('wasm');
    expect(info.device).toBe('cpu');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(info.fellBack).toEqual([
      { name: 'tensorflow-gpu', reason: 'tfjs-node-gpu not installed' },
      { name: 'tensorflow', reason: 'tfjs-node not installed' },
    ]);
    expect(tf.getBackend()).toBe('wasm');
    // The training kernels wasm lacks came along with it.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
    expect(Array.from(await sum.data())).toEqual([4, 6]);
  });

  it('answers a second call at once with the same info', async () => {
    const first = await initBackend({ force: 'auto' });
    const started = performance.now();
    const second = await initBackend({ force: 'auto' });
    expect(performance.now() - started).toBeLessThan(20);
    expect(second).toBe(first);
  });

  it('can be forced onto the plain cpu backend', async () => {
    const info = await initBackend({ force: 'cpu' });
    expect(info).toEqual({ name: 'cpu', device: 'cpu', fellBack: [], threads: 1, embeds: { name: 'onnxruntime-node', threads } });
    expect(tf.getBackend()).toBe('cpu');
  });
});
