import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DownloadProgress, locateWeights, RESNET50_NOTOP_WEIGHTS, type WeightsFileSpec,
} from '../../src-main/ml/backbones/weights-cache.ts';

const PAYLOAD = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);
const SPEC: WeightsFileSpec = {
  fileName: 'tiny_weights_notop.h5',
  url: 'https://weights.invalid/tiny_weights_notop.h5',
  md5: createHash('md5').update(PAYLOAD).digest('hex'),
};

let dir: string;
let kerasHome: string;
let cacheDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lookalike-weights-'));
  kerasHome = join(dir, 'keras');
  cacheDir = join(dir, 'app-cache');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Serves `bytes` from memory in 64 KB chunks, as a server would, and records the URLs asked for. */
function fakeFetch(bytes: Uint8Array, init: { status?: number; onChunk?: (index: number) => void } = {}) {
  const urls: string[] = [];
  const fetchImpl = (async (url: string | URL | Request) => {
    urls.push(String(url));
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const start = index * 65_536;
        if (start >= bytes.length) return controller.close();
        init.onChunk?.(index);
        index++;
        controller.enqueue(bytes.slice(start, start + 65_536));
      },
    });
    return new Response(body, { status: init.status ?? 200, headers: { 'content-length': String(bytes.length) } });
  }) as typeof fetch;
  return { fetchImpl, urls };
}

const neverFetch = (() => {
  throw new Error('must not download');
}) as unknown as typeof fetch;

async function place(folder: string, name = SPEC.fileName): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, name);
  await writeFile(path, 'h5');
  return path;
}

describe('locateWeights', () => {
  it('prefers the explicit path, then Keras’s cache, then the app cache, without downloading', async () => {
    const inApp = await place(cacheDir);
    const base = { spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: neverFetch };
    expect(await locateWeights(base)).toEqual({ path: inApp, source: 'app-cache' });

    const inKeras = await place(join(kerasHome, 'models'));
    expect(await locateWeights(base)).toEqual({ path: inKeras, source: 'keras-home' });

    const chosen = await place(join(dir, 'elsewhere'), 'my-weights.h5');
    expect(await locateWeights({ ...base, explicitPath: chosen })).toEqual({ path: chosen, source: 'explicit' });
  });

  it('does not fall back when the explicitly chosen file does not exist', async () => {
    await place(cacheDir);
    const missing = join(dir, 'gone.h5');
    await expect(locateWeights({ spec: SPEC, explicitPath: missing, kerasHome, cacheDir })).rejects.toMatchObject({
      code: 'WEIGHTS_MISSING', message: expect.stringContaining(missing),
    });
  });

  it('says which file to put where when it is missing and download is not allowed', async () => {
    const error = await locateWeights({ spec: RESNET50_NOTOP_WEIGHTS, kerasHome, cacheDir, fetch: neverFetch })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WEIGHTS_MISSING' });
    const { message } = error as Error;
    expect(message).toContain(join(cacheDir, 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    expect(message).toContain(join(kerasHome, 'models', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'));
    expect(message).toContain(RESNET50_NOTOP_WEIGHTS.url);
  });

  it('downloads into the app cache with progress, keeping the file once its checksum matches', async () => {
    const { fetchImpl, urls } = fakeFetch(PAYLOAD);
    const progress: DownloadProgress[] = [];
    const located = await locateWeights({
      spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: fetchImpl, onProgress: (p) => progress.push(p),
    });
    expect(urls).toEqual([SPEC.url]);
    expect(located).toEqual({ path: join(cacheDir, SPEC.fileName), source: 'downloaded' });
    expect(new Uint8Array(await readFile(located.path))).toEqual(PAYLOAD);
    expect(await readdir(cacheDir)).toEqual([SPEC.fileName]);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({ receivedBytes: PAYLOAD.length, totalBytes: PAYLOAD.length });

    // The next run finds it and does not download again.
    expect(await locateWeights({ spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: neverFetch }))
      .toEqual({ path: located.path, source: 'app-cache' });
  });

  it('keeps nothing when the downloaded bytes do not match Keras’s checksum', async () => {
    const corrupted = PAYLOAD.slice();
    corrupted[1234] ^= 0xff;
    const { fetchImpl } = fakeFetch(corrupted);
    await expect(locateWeights({ spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: fetchImpl }))
      .rejects.toMatchObject({ code: 'WEIGHTS_CHECKSUM', message: expect.stringContaining(SPEC.md5) });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('stops and cleans up when the download is cancelled', async () => {
    const controller = new AbortController();
    const { fetchImpl } = fakeFetch(PAYLOAD, { onChunk: (i) => i === 1 && controller.abort() });
    await expect(locateWeights({
      spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: fetchImpl, signal: controller.signal,
    })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('reports a server error as a download failure and keeps nothing', async () => {
    const { fetchImpl } = fakeFetch(new TextEncoder().encode('Not Found'), { status: 404 });
    await expect(locateWeights({ spec: SPEC, kerasHome, cacheDir, allowDownload: true, fetch: fetchImpl }))
      .rejects.toMatchObject({ code: 'WEIGHTS_DOWNLOAD', message: expect.stringContaining('404') });
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
