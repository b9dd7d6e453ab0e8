import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-regular-file.ts';
import type { StoredPair } from '../catalog/datasets.ts';
import { phash, phashSimilarity } from '../ml/phash.ts';
import { embeddingSimilarity } from '../ml/vectors.ts';
import type { Embedder, EmbedInput } from '../model-store/embedder.ts';

/** Similarity of query q (the right image of pair q) to gallery item g (the left image of pair g) in one set. */
export type PairSimilarity = (q: number, g: number) => number;

/** Progress and cancellation of one measurement. */
export interface MeasureOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** What an embedder needs to find a catalog image: its hash (the feature cache key) and its file. */
function catalogInputs(pairs: StoredPair[], side: 'left' | 'right'): EmbedInput[] {
  return pairs.map((p) => ({ sha256: p[side].sha256, path: p[side].path }));
}

/**
 * Cosine similarities of an embedder on several sets of pairs (val, test), embedding every image of all sets in
 * one pass so that progress runs from 0 to the total once.
 */
export async function embedderSimilarities(embedder: Embedder, sets: StoredPair[][], opts: MeasureOptions = {}): Promise<PairSimilarity[]> {
  const inputs = sets.flatMap((pairs) => [...catalogInputs(pairs, 'left'), ...catalogInputs(pairs, 'right')]);
  const vectors = inputs.length ? await embedder.embed(inputs, opts) : new Float32Array(0);
  opts.onProgress?.(inputs.length, inputs.length);
  let offset = 0;
  return sets.map((pairs) => {
    const n = pairs.length;
    const left = vectors.subarray(offset * embedder.dim, (offset + n) * embedder.dim);
    const right = vectors.subarray((offset + n) * embedder.dim, (offset + 2 * n) * embedder.dim);
    offset += 2 * n;
    return embeddingSimilarity(right, left, embedder.dim);
  });
}

/**
 * pHash agreement (1 − hamming / 64) on several sets of pairs, hashing each image's file as imported.
 * @throws Error naming the file when an image file can no longer be read (moved or deleted since the import).
 */
export async function phashSimilarities(sets: StoredPair[][], opts: MeasureOptions = {}): Promise<PairSimilarity[]> {
  const total = sets.reduce((s, pairs) => s + 2 * pairs.length, 0);
  let done = 0;
  const hashOf = async (file: string): Promise<bigint> => {
    opts.signal?.throwIfAborted();
    const read = await readRegularFile(file, MAX_IMAGE_FILE_BYTES);
    if ('code' in read) throw Object.assign(new Error(`pHash needs the image files: ${file}: ${read.reason}`), { code: read.code });
    const h = await phash(read.buf);
    opts.onProgress?.(++done, total);
    return h;
  };
  const out: PairSimilarity[] = [];
  for (const pairs of sets) {
    const left: bigint[] = [];
    const right: bigint[] = [];
    for (const p of pairs) left.push(await hashOf(p.left.path));
    for (const p of pairs) right.push(await hashOf(p.right.path));
    out.push((q, g) => phashSimilarity(right[q], left[g]));
  }
  return out;
}
