import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_LIMITS, decodeImage, readAndHash } from '../importer/probe-image.ts';
import type { BatchInput, BatchItem, BatchProgress, BatchQueryRequest, BatchResult, BatchUnusable } from '../../src-shared/batch-types.ts';
import type { QueryImage, QueryRequest, QueryResponse } from '../../src-shared/query-types.ts';
import { QUERY_IMAGE_CODES } from '../importer/problem-codes.ts';
import { createHash } from 'node:crypto';

/** Answers one query (in-process for the CLI, the query worker for the app). */
export type QueryOne = (req: QueryRequest, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }) => Promise<QueryResponse>;

/** Options of {@link batchQuery}. */
export interface BatchOptions {
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
  /** The catalog being embedded before the first query can run (a run's first query). */
  onEmbedProgress?: (done: number, total: number) => void;
}

/** One file to query, named as the user will see it. */
interface BatchFile {
  file: string;
  image: QueryImage;
}

const REFUSED_IMAGE_CODES: readonly string[] = QUERY_IMAGE_CODES;

const THUMB = 96;
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db']);

/** Turns the inputs into files: a folder gives the files directly in it, by name; what is not a file is listed. */
async function expandInputs(inputs: readonly BatchInput[], unusable: BatchUnusable[]): Promise<BatchFile[]> {
  const files: BatchFile[] = [];
  for (const input of inputs) {
    if ('bytesBase64' in input) {
      files.push({ file: input.name, image: input });
      continue;
    }
    const full = path.resolve(input.path);
    const stat = await fs.stat(full).catch((e: NodeJS.ErrnoException) => e);
    if (stat instanceof Error) {
      unusable.push({ file: input.path, code: 'UNREADABLE', reason: stat.code === 'ENOENT' ? 'no such file or folder' : `cannot read: ${stat.message}` });
      continue;
    }
    if (!stat.isDirectory()) {
      files.push({ file: input.path, image: { path: full } });
      continue;
    }
    const names = (await fs.readdir(full)).map((n) => n.normalize('NFC')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const file = path.join(input.path, name);
      if (name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase())) continue; // .DS_Store and the like: not the user's images
      const s = await fs.stat(path.join(full, name)).catch(() => undefined);
      if (s?.isDirectory()) unusable.push({ file, code: 'DIRECTORY', reason: 'a subfolder: nested folders are not searched' });
      else files.push({ file, image: { path: path.join(full, name) } });
    }
  }
  return files;
}

/** The importer's checks on one query image (size, regular file, a decode of every pixel), and its thumbnail. */
async function checkImage(f: BatchFile): Promise<{ sha256: string; thumbnail: string } | Omit<BatchUnusable, 'file'>> {
  let buf: Buffer;
  let sha256: string;
  if ('path' in f.image) {
    const s = await fs.stat(f.image.path).catch(() => undefined);
    if (s && !s.isFile()) return { code: 'NOT_REGULAR_FILE', reason: 'not a regular file (a device, pipe or socket)' };
    const read = await readAndHash(f.image.path, DEFAULT_LIMITS);
    if ('code' in read) return read;
    ({ buf, sha256 } = read);
  } else {
    buf = Buffer.from(f.image.bytesBase64, 'base64');
    if (!buf.length) return { code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' };
    if (buf.length > DEFAULT_LIMITS.maxFileBytes) return { code: 'FILE_TOO_LARGE', reason: 'over the size limit for one image file' };
    sha256 = createHash('sha256').update(buf).digest('hex');
  }
  const probed = await decodeImage(buf, sha256, DEFAULT_LIMITS);
  if ('code' in probed) return probed;
  const thumb = await sharp(probed.thumbnail).resize(THUMB, THUMB, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 75 }).toBuffer();
  return { sha256, thumbnail: `data:image/webp;base64,${thumb.toString('base64')}` };
}

/**
 * Queries every image of a batch against the catalog, one after another, with the same model. A file that cannot
 * be used (unreadable, not an image, too big: the importer's checks and words) is listed with its reason and the
 * batch goes on; an error that would fail every file (no run, an unknown run) ends it. `signal` stops it between
 * files (and inside the query being answered).
 */
export async function batchQuery(req: BatchQueryRequest, queryOne: QueryOne, opts: BatchOptions = {}): Promise<BatchResult> {
  const top = req.top ?? 5;
  if (!Number.isInteger(top) || top < 1 || top > 100) throw Object.assign(new Error(`keep 1 to 100 matches per image, not ${top}`), { code: 'BAD_QUERY' });
  if (!Array.isArray(req.inputs) || !req.inputs.length) throw Object.assign(new Error('choose at least one image or folder'), { code: 'BAD_QUERY' });
  const unusable: BatchUnusable[] = [];
  const files = await expandInputs(req.inputs, unusable);
  const items: BatchItem[] = [];
  let runId = req.runId;
  let tau: number | null = null;
  opts.onProgress?.({ done: 0, total: files.length });
  for (const [i, f] of files.entries()) {
    opts.signal?.throwIfAborted();
    opts.onProgress?.({ done: i, total: files.length, current: f.file });
    const checked = await checkImage(f);
    if ('code' in checked) {
      unusable.push({ file: f.file, ...checked });
      continue;
    }
    let res: QueryResponse;
    try {
      // The run is fixed by the first answer, so a run finishing mid-batch cannot change the model half-way.
      res = await queryOne({ image: f.image, runId, datasetId: req.datasetId, side: req.side, top }, { signal: opts.signal, onProgress: opts.onEmbedProgress });
    } catch (e) {
      // The query's own image checks (the same as above, on bytes read again) refused it: the file changed in
      // between. Matched by code, since from the query worker the error arrives as a RemoteError.
      const code = (e as { code?: unknown }).code;
      if (opts.signal?.aborted || typeof code !== 'string' || !REFUSED_IMAGE_CODES.includes(code)) throw e;
      unusable.push({ file: f.file, code: code as BatchUnusable['code'], reason: (e as Error).message });
      continue;
    }
    runId = res.runId;
    tau = res.tau;
    const best = res.hits[0];
    items.push({ file: f.file, sha256: checked.sha256, thumbnail: checked.thumbnail, hits: res.hits, bestScore: best?.score ?? null, match: best?.match ?? false, queryPair: res.queryPair });
  }
  opts.onProgress?.({ done: files.length, total: files.length });
  return { runId: items.length ? (runId ?? null) : null, tau: items.length ? tau : null, items, unusable };
}
