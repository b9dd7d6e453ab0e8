import { createHash } from 'node:crypto';
import { formatBytes, readRegularFile } from '../read-regular-file.ts';
import type { Db } from '../catalog/open-catalog.ts';
import { DEFAULT_LIMITS, decodeImage } from '../importer/probe-image.ts';
import type { QueryHit, QueryImage, QueryRequest, QueryResponse } from '../../src-shared/query-types.ts';
import type { Side } from '../../src-shared/catalog-types.ts';
import { getRun, newestDoneRunId } from '../catalog/runs.ts';
import { imageIdBySha256, pairsWithImages } from '../catalog/datasets.ts';
import { ensureCatalogVectors, type CatalogVectors } from './catalog-embeddings.ts';
import { EmbedderError, runEmbedder, type Embedder } from '../model-store/embedder.ts';
import { feedbackFor } from '../catalog/feedback.ts';

/**
 * A query image that cannot be used. `code` says why, with the importer's codes (NOT_REGULAR_FILE, DIRECTORY,
 * FILE_TOO_LARGE, EMPTY_FILE, NOT_AN_IMAGE, CORRUPT_IMAGE, TOO_MANY_PIXELS, UNREADABLE) plus NOT_FOUND; the
 * message names the file and never quotes its content.
 */
export class QueryImageError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export { QUERY_IMAGE_CODES } from '../importer/problem-codes.ts';

/** Used when a run has no calibrated threshold (a dataset too small for val and test pairs). */
export const FALLBACK_TAU = 0.5;

/**
 * Keeps the last run's embedder and catalog index loaded between queries: loading a model and the catalog's
 * vectors costs seconds, a query on them milliseconds. One per process (the app, the server). Queries through a
 * session run one at a time, so one never disposes the model another is still using; the slot is keyed by the
 * run's checkpoint, so a run that trained further is reloaded.
 */
export class QuerySession {
  private current?: { key: string; embedder: Embedder; vectors?: CatalogVectors };
  private queue: Promise<unknown> = Promise.resolve();

  /** Runs `work` after every query before it has finished. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** `version` tells checkpoints apart: a run removed and its id reused by a new run must not get the old model. */
  async forRun(db: Db, runId: number, version: string | number): Promise<{ embedder: Embedder; vectors?: CatalogVectors; keep: (v: CatalogVectors) => void }> {
    const key = `${runId}@${version}`;
    if (this.current?.key !== key) {
      this.current?.embedder.dispose();
      this.current = undefined;
      this.current = { key, embedder: await runEmbedder(db, runId) };
    }
    const slot = this.current;
    return { embedder: slot.embedder, vectors: slot.vectors, keep: (v) => (slot.vectors = v) };
  }

  dispose(): void {
    this.current?.embedder.dispose();
    this.current = undefined;
  }
}

/** The newest run that finished training. */
export function defaultRunId(db: Db): number {
  const id = newestDoneRunId(db);
  if (id === undefined) throw new EmbedderError('NO_RUN', 'no finished training run yet: train one first (lookalike train DATASET)');
  return id;
}

/**
 * A query image's bytes, with the importer's checks: a regular file (never a FIFO or a device, opened without
 * blocking), the file-size cap, then the header's pixel cap before any decode.
 */
export async function readQueryImage(image: QueryImage): Promise<{ buffer: Buffer; sha256: string }> {
  let buffer: Buffer;
  const name = 'path' in image ? image.path : image.name;
  if ('path' in image) {
    const read = await readRegularFile(image.path, DEFAULT_LIMITS.maxFileBytes);
    if ('code' in read) throw new QueryImageError(read.code, `${name}: ${read.reason}`);
    buffer = read.buf;
  } else {
    // base64 is 4/3 of the bytes: refuse an oversized upload before decoding it.
    if (image.bytesBase64.length > (DEFAULT_LIMITS.maxFileBytes / 3) * 4 + 4) {
      throw new QueryImageError('FILE_TOO_LARGE', `${name}: over the ${formatBytes(DEFAULT_LIMITS.maxFileBytes)} limit for one image file`);
    }
    buffer = Buffer.from(image.bytesBase64, 'base64');
    if (buffer.length === 0) throw new QueryImageError('EMPTY_FILE', `${name}: empty file (0 bytes)`);
  }
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  const probed = await decodeImage(buffer, sha256, DEFAULT_LIMITS);
  if ('code' in probed) throw new QueryImageError(probed.code, `${name}: ${probed.reason}`);
  return { buffer, sha256 };
}

interface ImagePlace {
  datasetId: number;
  datasetName: string;
  pairName: string;
  side: Side;
  path: string;
}

/**
 * Where each catalog image appears: the pairs and sides it is part of (one image may be in several datasets).
 * An image's places are listed left sides first, then right sides, each by dataset and pair name.
 */
function imagePlaces(db: Db): Map<number, ImagePlace[]> {
  const pairs = pairsWithImages(db);
  const places = new Map<number, ImagePlace[]>();
  for (const side of ['left', 'right'] as const) {
    for (const p of pairs) {
      const imageId = p[side].imageId;
      places.set(imageId, [...(places.get(imageId) ?? []), { datasetId: p.datasetId, datasetName: p.datasetName, pairName: p.name, side, path: p[side].path }]);
    }
  }
  return places;
}

/**
 * Ranks the catalog's images by cosine similarity to one image, with the run's model. The catalog's vectors
 * for the run are computed on first use and kept (only new images are embedded later). `match` is score ≥ the
 * run's calibrated tau.
 */
export async function queryCatalog(
  db: Db,
  req: QueryRequest,
  opts: { session?: QuerySession; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<QueryResponse> {
  const top = req.top ?? 10;
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw Object.assign(new Error(`top must be a whole number from 1 to 1000, not ${top}`), { code: 'BAD_QUERY' });
  const query = await readQueryImage(req.image);
  const runId = req.runId ?? defaultRunId(db);
  const run = getRun(db, runId);
  const session = opts.session ?? new QuerySession();
  return session.exclusive(async () => {
    try {
      const slot = await session.forRun(db, runId, `${run.epochsDone}@${run.createdAt}`);
      const vectors = await ensureCatalogVectors(db, slot.embedder, { vectors: slot.vectors, onProgress: opts.onProgress, signal: opts.signal });
      slot.keep(vectors);
      const [queryVector] = splitRows(await slot.embedder.embed([{ buffer: query.buffer }]), slot.embedder.dim);
      const places = imagePlaces(db);
      const placeOf = (imageId: number) =>
        (places.get(imageId) ?? []).find((p) => (req.datasetId === undefined || p.datasetId === req.datasetId) && (req.side === undefined || p.side === req.side));
      // The query image itself (same bytes) would always come first with score 1: it is left out of the ranking.
      const ownId = imageIdBySha256(db, query.sha256);
      const found = vectors.index.search(queryVector, top, (id) => id !== ownId && placeOf(id) !== undefined);
      const tau = run.metrics?.tau ?? FALLBACK_TAU;
      const marks = feedbackFor(db, query.sha256, found.map((f) => f.id));
      const hits: QueryHit[] = found.map((f, i) => ({
        rank: i + 1,
        imageId: f.id,
        ...placeOf(f.id)!,
        score: f.score,
        match: f.score >= tau,
        feedback: marks.get(f.id) ?? null,
      }));
      const ownPlace = ownId === undefined ? undefined : places.get(ownId)?.[0];
      let searched = 0;
      for (const id of places.keys()) if (id !== ownId && vectors.index.has(id) && placeOf(id)) searched++;
      return {
        runId,
        tau,
        querySha256: query.sha256,
        queryPair: ownPlace ? { datasetName: ownPlace.datasetName, pairName: ownPlace.pairName, side: ownPlace.side } : null,
        hits,
        searched,
      };
    } finally {
      if (!opts.session) session.dispose();
    }
  });
}

function splitRows(data: Float32Array, dim: number): Float32Array[] {
  return Array.from({ length: data.length / dim }, (_, i) => data.subarray(i * dim, (i + 1) * dim));
}
