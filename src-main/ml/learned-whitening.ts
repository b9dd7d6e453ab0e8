import { symmetricEigen } from './symmetric-eigen.ts';

/**
 * Learned whitening from matching pairs (Radenović, Tolias & Chum, "Fine-tuning CNN image retrieval with no human
 * annotation", TPAMI 2018, §3.3 — after Mikolajczyk & Matas 2007): a linear projection, fitted in closed form,
 * that shrinks the directions in which the two sides of a true pair differ (a logo vs. its glyph: colour,
 * stroke, rendering) and keeps, among the rest, those in which images differ most.
 *
 *   1. every feature is L2-normalised; μ = the mean of all of them;
 *   2. C_S = covariance of the pair differences (left − right), shrunk toward (tr C_S / d)·I: with a few hundred
 *      pairs in 416+ dimensions it is rank-deficient, and its inverse square root would blow up noise;
 *   3. P = C_S^(−½) (the pairs' differences become isotropic);
 *   4. C_D = covariance of (x − μ)·P over all features; its `outputDims` leading eigenvectors U;
 *   5. embedding(x) = normalise((normalise(x) − μ)·P·U) — a Dense layer (kernel P·U, bias −μ·P·U) between two
 *      L2 normalisations, so the trained head saves, loads and exports like any other.
 *
 * Measured on the two evaluation sets' train folders, scored on their unseen test pairs (docs/training-heads.md):
 * on MobileNetV2's mid-multi-gem-polarity features it lifts test Recall@1 from 0.735 to 0.81–0.84 (brands) and
 * from 0.647 to 0.74–0.78 (icons), where the original's MLP head trained with triplets fell below the untrained
 * features. Triplet epochs on top of it neither help nor hurt by more than a query.
 */

/** Options of {@link fitLearnedWhitening}. */
export interface WhiteningOptions {
  /** Length of each feature row. */
  dim: number;
  /** Embedding length; at most `dim`. */
  outputDims: number;
  /** Weight of the isotropic part in C_S's shrinkage, in [0, 1). Measured best: 0.1. */
  shrinkage?: number;
}

/** The fitted projection as a Dense layer's weights: embedding = normalise(normalise(x)·kernel + bias). */
export interface Whitening {
  /** Row-major dim × outputDims. */
  kernel: Float32Array;
  bias: Float32Array;
  outputDims: number;
}

/** The shrinkage the measurements chose (docs/training-heads.md). */
export const DEFAULT_WHITENING_SHRINKAGE = 0.1;

/**
 * Fits learned whitening on matching pairs: `left` and `right` hold one row per pair (row-major, `dim` values
 * each; any scale — rows are L2-normalised first).
 * @throws RangeError on mismatched inputs, fewer than 2 pairs, outputDims outside 1…dim, or non-finite values.
 */
export function fitLearnedWhitening(left: Float32Array, right: Float32Array, options: WhiteningOptions): Whitening {
  const { dim, outputDims } = options;
  const shrinkage = options.shrinkage ?? DEFAULT_WHITENING_SHRINKAGE;
  if (left.length !== right.length || left.length % dim !== 0) throw new RangeError(`learned whitening: left and right must both be pairs × ${dim} values`);
  const pairs = left.length / dim;
  if (pairs < 2) throw new RangeError(`learned whitening needs at least 2 pairs, got ${pairs}`);
  if (!Number.isInteger(outputDims) || outputDims < 1 || outputDims > dim) throw new RangeError(`learned whitening: outputDims must be 1…${dim}, got ${outputDims}`);
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError(`learned whitening: shrinkage must be in [0, 1), got ${shrinkage}`);
  const L = normalisedRows(left, dim);
  const R = normalisedRows(right, dim);

  const mean = new Float64Array(dim);
  for (const rows of [L, R]) for (let i = 0; i < rows.length; i++) mean[i % dim] += rows[i] / (2 * pairs);

  // C_S from the differences, then shrunk.
  const diff = new Float64Array(pairs * dim);
  for (let i = 0; i < diff.length; i++) diff[i] = L[i] - R[i];
  const cs = gram(diff, pairs, dim, 1 / pairs);
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += cs[i * dim + i];
  const iso = trace / dim || 1e-12;
  for (let i = 0; i < dim * dim; i++) cs[i] *= 1 - shrinkage;
  for (let i = 0; i < dim; i++) cs[i * dim + i] += shrinkage * iso;
  const s = symmetricEigen(cs, dim);
  // P = V·Λ^(−½): column j of V scaled. The floor keeps a zero eigenvalue (shrinkage 0, rank-deficient C_S) finite.
  const floor = iso * 1e-6;
  const P = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) P[i * dim + j] = s.vectors[i * dim + j] / Math.sqrt(Math.max(s.values[j], floor));

  // C_D of the whitened, centred features (both sides).
  const Y = new Float64Array(2 * pairs * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < 2 * pairs; r++) {
    const src = r < pairs ? L : R;
    const at = (r % pairs) * dim;
    for (let i = 0; i < dim; i++) centred[i] = src[at + i] - mean[i];
    for (let j = 0; j < dim; j++) {
      let v = 0;
      for (let i = 0; i < dim; i++) v += centred[i] * P[i * dim + j];
      Y[r * dim + j] = v;
    }
  }
  const cd = symmetricEigen(gram(Y, 2 * pairs, dim, 1 / (2 * pairs)), dim);

  // kernel = P·U with U the leading eigenvectors (values are ascending: take from the end).
  const kernel = new Float32Array(dim * outputDims);
  for (let k = 0; k < outputDims; k++) {
    const col = dim - 1 - k;
    for (let i = 0; i < dim; i++) {
      let v = 0;
      for (let j = 0; j < dim; j++) v += P[i * dim + j] * cd.vectors[j * dim + col];
      kernel[i * outputDims + k] = v;
    }
  }
  const bias = new Float32Array(outputDims);
  for (let k = 0; k < outputDims; k++) {
    let v = 0;
    for (let i = 0; i < dim; i++) v -= mean[i] * kernel[i * outputDims + k];
    bias[k] = v;
  }
  if (!kernel.every(Number.isFinite) || !bias.every(Number.isFinite)) throw new RangeError('learned whitening: the features hold non-finite values');
  return { kernel, bias, outputDims };
}

function normalisedRows(x: Float32Array, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += x[r * dim + i] ** 2;
    if (!Number.isFinite(s)) throw new RangeError(`learned whitening: feature row ${r} holds non-finite values`);
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let i = 0; i < dim; i++) out[r * dim + i] = x[r * dim + i] * inv;
  }
  return out;
}

/** scale · XᵀX for row-major X (rows × dim): dim × dim, symmetric. */
function gram(X: Float64Array, rows: number, dim: number, scale: number): Float64Array {
  const out = new Float64Array(dim * dim);
  for (let r = 0; r < rows; r++) {
    const at = r * dim;
    for (let i = 0; i < dim; i++) {
      const xi = X[at + i];
      if (xi === 0) continue;
      const row = i * dim;
      for (let j = i; j < dim; j++) out[row + j] += xi * X[at + j];
    }
  }
  for (let i = 0; i < dim; i++) for (let j = i; j < dim; j++) {
    out[i * dim + j] *= scale;
    out[j * dim + i] = out[i * dim + j];
  }
  return out;
}
