import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** What the UI can act on when pretrained weights cannot be used. */
export type WeightsErrorCode = 'WEIGHTS_MISSING' | 'WEIGHTS_CHECKSUM' | 'WEIGHTS_DOWNLOAD' | 'WEIGHTS_INVALID';

/** An error about a weights file, with a code that survives the trip across the bridge. */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
  constructor(readonly code: WeightsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A weights file as Keras's `get_file` knows it: the name it caches it under, where from, and its hash. */
export interface WeightsFileSpec {
  readonly fileName: string;
  readonly url: string;
  /** Hex MD5 of the whole file (the hash Keras itself checks for this file). */
  readonly md5: string;
}

/** Keras's ImageNet ResNet50 weights without the classifier top (~94 MB). */
export const RESNET50_NOTOP_WEIGHTS: WeightsFileSpec = {
  fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
  url:
    'https://storage.googleapis.com/tensorflow/keras-applications/resnet/' +
    'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
  md5: '4d473c1dd8becc155b73f8504c6f6626',
};

/** Download progress; `totalBytes` is null when the server does not say. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
}

/** Options of {@link locateWeights}. */
export interface LocateWeightsOptions {
  spec: WeightsFileSpec;
  /** A file the user chose; when given it must exist (no silent fallback to another file). */
  explicitPath?: string;
  /** The app's own cache directory; downloads go here. */
  cacheDir?: string;
  /** Keras's home (default `$KERAS_HOME`, else `~/.keras`); its `models/` holds files Keras already fetched. */
  kerasHome?: string;
  /** Only with the user's consent: the file is large. */
  allowDownload?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Injectable for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/** Where the weights file was found. */
export interface LocatedWeights {
  path: string;
  source: 'explicit' | 'keras-home' | 'app-cache' | 'downloaded';
}

/**
 * Finds a weights file: the explicit path, then Keras's own cache (`~/.keras/models/<file>`), then
 * `<cacheDir>/<file>`; otherwise, if allowed, downloads it into `cacheDir` (or Keras's cache when no `cacheDir`
 * is given), checking Keras's MD5 before the file appears under its final name.
 * Throws `WeightsError` `WEIGHTS_MISSING` (saying which file to put where), `WEIGHTS_DOWNLOAD` or
 * `WEIGHTS_CHECKSUM`; an aborted `signal` rejects with its reason and leaves nothing behind.
 */
export async function locateWeights(options: LocateWeightsOptions): Promise<LocatedWeights> {
  const { spec, explicitPath, cacheDir } = options;
  if (explicitPath !== undefined) {
    if (await isReadable(explicitPath)) return { path: explicitPath, source: 'explicit' };
    throw new WeightsError('WEIGHTS_MISSING', `Weights file not found or not readable: ${explicitPath}`);
  }
  const kerasModels = join(options.kerasHome ?? defaultKerasHome(), 'models');
  const kerasPath = join(kerasModels, spec.fileName);
  if (await isReadable(kerasPath)) return { path: kerasPath, source: 'keras-home' };
  const cachePath = cacheDir === undefined ? undefined : join(cacheDir, spec.fileName);
  if (cachePath !== undefined && (await isReadable(cachePath))) return { path: cachePath, source: 'app-cache' };

  if (!options.allowDownload) {
    const places = cachePath === undefined ? kerasPath : `${cachePath} (or ${kerasPath})`;
    throw new WeightsError(
      'WEIGHTS_MISSING',
      `Pretrained weights ${spec.fileName} are missing. Download them from ${spec.url} and put the file at ` +
        `${places}, or allow Lookalike to download them.`,
    );
  }
  const target = cachePath ?? kerasPath;
  await downloadVerified(spec, target, options);
  return { path: target, source: 'downloaded' };
}

/** Keras's own rule: `$KERAS_HOME`, else `~/.keras`. */
function defaultKerasHome(): string {
  return process.env.KERAS_HOME || join(homedir(), '.keras');
}

async function isReadable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Streams the file to a temporary name next to the target and renames it only once its MD5 matches, so an
 * interrupted or corrupted download never looks like a usable weights file to the next run.
 */
async function downloadVerified(spec: WeightsFileSpec, target: string, options: LocateWeightsOptions): Promise<void> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  await mkdir(dirname(target), { recursive: true });

  let response: Response;
  try {
    response = await fetchImpl(spec.url, { signal });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw new WeightsError('WEIGHTS_DOWNLOAD', `Could not download ${spec.url}: ${describe(error)}`, { cause: error });
  }
  if (!response.ok || response.body === null) {
    throw new WeightsError('WEIGHTS_DOWNLOAD', `Could not download ${spec.url}: HTTP ${response.status}`);
  }
  const declaredLength = Number(response.headers.get('content-length'));
  const totalBytes = Number.isFinite(declaredLength) && declaredLength > 0 ? declaredLength : null;

  const tempPath = `${target}.${randomBytes(6).toString('hex')}.part`;
  const file = await open(tempPath, 'wx');
  let renamed = false;
  try {
    const hash = createHash('md5');
    let receivedBytes = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // Real fetch aborts the body itself; checking here also stops bodies that ignore the signal.
        signal?.throwIfAborted();
        hash.update(value);
        await file.write(value);
        receivedBytes += value.byteLength;
        onProgress?.({ receivedBytes, totalBytes });
      }
    } catch (error) {
      await reader.cancel().catch(() => undefined);
      if (signal?.aborted) throw signal.reason;
      if (error instanceof WeightsError) throw error;
      throw new WeightsError('WEIGHTS_DOWNLOAD', `Download of ${spec.url} failed: ${describe(error)}`, {
        cause: error,
      });
    }
    await file.close();
    const md5 = hash.digest('hex');
    if (md5 !== spec.md5) {
      throw new WeightsError(
        'WEIGHTS_CHECKSUM',
        `Downloaded ${spec.fileName} is corrupt (md5 ${md5}, expected ${spec.md5}); it was not kept. Try again.`,
      );
    }
    await rename(tempPath, target);
    renamed = true;
  } finally {
    await file.close().catch(() => undefined);
    if (!renamed) await rm(tempPath, { force: true });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
