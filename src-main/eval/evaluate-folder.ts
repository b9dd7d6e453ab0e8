import { partnerUnusable, scanPairedFolder } from '../importer/scan-paired-folder.ts';
import { DEFAULT_LIMITS, decodeImage, readAndHash } from '../importer/probe-image.ts';
import type { ImportProblem } from '../../src-shared/catalog-types.ts';
import type { RetrievalScores } from '../../src-shared/query-types.ts';
import type { Embedder } from '../model-store/embedder.ts';
import { f1At, tauMaxF1 } from '../ml/metrics/calibrate-threshold.ts';
import { phash, phashSimilarity } from '../ml/phash.ts';
import { scorePairedSets, type PairedSetScores } from '../ml/metrics/score-paired-sets.ts';
import { embeddingSimilarity } from '../ml/vectors.ts';

/** How images are compared: a trained or untrained embedder (cosine), or a perceptual hash. */
export type Scorer = { kind: 'embedder'; embedder: Embedder } | { kind: 'phash' };

/** The outcome of evaluating a scorer on a paired folder. */
export interface FolderEvaluation {
  scores: RetrievalScores;
  /** The threshold that maximises F1 on this folder (true pairs vs. every non-pair, as a query meets them). */
  bestTau: number | null;
  bestF1: number | null;
  /** F1 on this folder at a given threshold (the run's calibrated tau), when one is given. */
  f1AtTau: number | null;
  /** Files of the folder that could not be used, as an import would report them. */
  problems: ImportProblem[];
  raw: PairedSetScores;
}

/**
 * Evaluates on a paired folder that is NOT imported (nothing is written to the catalog): gallery = its left
 * images, queries = its right images, the same name is the true match. Unusable files are reported and their
 * pairs left out, as an import would.
 */
export async function evaluateFolder(
  folder: string,
  scorer: Scorer,
  opts: { tau?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<FolderEvaluation> {
  const scan = await scanPairedFolder(folder);
  const problems = [...scan.problems];
  // Reading the pairs is the first half of the work, scoring them the second.
  const total = scan.pairs.length * 2;
  const lefts: Buffer[] = [];
  const rights: Buffer[] = [];
  for (const [i, pair] of scan.pairs.entries()) {
    opts.signal?.throwIfAborted();
    const good: Partial<Record<'left' | 'right', Buffer>> = {};
    const failed: ImportProblem[] = [];
    for (const side of ['left', 'right'] as const) {
      const read = await readAndHash(pair[side].path, DEFAULT_LIMITS);
      const ok = 'code' in read ? read : await decodeImage(read.buf, read.sha256, DEFAULT_LIMITS);
      if ('code' in ok) failed.push({ side, file: pair[side].name, code: ok.code, reason: ok.reason });
      else good[side] = (read as { buf: Buffer }).buf;
    }
    problems.push(...failed);
    if (good.left && good.right) {
      lefts.push(good.left);
      rights.push(good.right);
    } else if (failed.length === 1) problems.push(partnerUnusable(pair, failed[0]));
    opts.onProgress?.(i + 1, total);
  }
  const n = lefts.length;
  let raw: PairedSetScores;
  if (scorer.kind === 'phash') {
    const l = await Promise.all(lefts.map((b) => phash(b)));
    const r = await Promise.all(rights.map((b) => phash(b)));
    raw = scorePairedSets(n, (q, g) => phashSimilarity(r[q], l[g]));
  } else {
    const { embedder } = scorer;
    const half = scan.pairs.length;
    const progress = (fraction: number) => opts.onProgress?.(Math.round(half + fraction * half), total);
    const l = await embedder.embed(lefts.map((buffer) => ({ buffer })), { signal: opts.signal, onProgress: (d, t) => progress(d / t / 2) });
    const r = await embedder.embed(rights.map((buffer) => ({ buffer })), { signal: opts.signal, onProgress: (d, t) => progress(0.5 + d / t / 2) });
    raw = scorePairedSets(n, embeddingSimilarity(r, l, embedder.dim));
  }
  const best = raw.allNegatives.length ? tauMaxF1(raw.positives, raw.allNegatives) : null;
  return {
    scores: raw.scores,
    bestTau: best?.tau ?? null,
    bestF1: best?.f1 ?? null,
    f1AtTau: opts.tau === undefined || !raw.allNegatives.length ? null : f1At(opts.tau, raw.positives, raw.allNegatives),
    problems,
    raw,
  };
}

/** The JSON the CLI prints for one evaluation (snake_case, as documented in the README). */
export function evaluationJson(e: FolderEvaluation, tau: number | null) {
  return {
    queries: e.scores.queries,
    gallery: e.scores.gallery,
    recall: e.scores.recall,
    mrr: e.scores.mrr,
    roc_auc: e.scores.rocAuc,
    tau: tau ?? e.bestTau,
    f1_at_tau: tau === null ? e.bestF1 : e.f1AtTau,
    best_tau: e.bestTau,
    best_f1: e.bestF1,
    problems: e.problems.length,
  };
}
