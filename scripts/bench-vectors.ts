/**
 * Synthetic catalogs for scripts/bench-query.ts. Uniform random unit vectors are the worst case for any
 * approximate index (in 256-d every point is nearly equidistant from every other) and nothing like embeddings,
 * which crowd into themes and, for look-alikes, into tight groups of near-duplicates.
 */
import { seededRandom } from '../src-main/ml/metrics/verification-metrics.ts';

export type Distribution = 'clustered' | 'uniform';

/** Standard normal pairs (Box–Muller) into `out[from..to)`. */
function fillGaussian(random: () => number, out: Float32Array, from: number, to: number, scale = 1, offset?: Float32Array, offsetAt = 0): void {
  for (let i = from; i < to; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random())) * scale;
    const theta = 2 * Math.PI * random();
    out[i] = r * Math.cos(theta) + (offset ? offset[offsetAt + i - from] : 0);
    if (i + 1 < to) out[i + 1] = r * Math.sin(theta) + (offset ? offset[offsetAt + i + 1 - from] : 0);
  }
}

function normaliseRows(rows: Float32Array, dim: number): void {
  for (let base = 0; base < rows.length; base += dim) {
    let sq = 0;
    for (let i = 0; i < dim; i++) sq += rows[base + i] * rows[base + i];
    const inv = 1 / Math.sqrt(sq);
    for (let i = 0; i < dim; i++) rows[base + i] *= inv;
  }
}

/**
 * `size` unit vectors, row-major. clustered: one theme per 1 000 vectors (a broad direction); 70 % of vectors
 * come in groups of 1–8 near-duplicates around a point of a theme (cosine ≈ 0.9 within a group), 30 % are
 * background points of the themes. uniform: directions uniform on the sphere.
 */
export function syntheticCatalog(size: number, dim: number, distribution: Distribution, seed: number): Float32Array {
  const random = seededRandom(seed);
  const rows = new Float32Array(size * dim);
  if (distribution === 'uniform') {
    fillGaussian(random, rows, 0, rows.length);
    normaliseRows(rows, dim);
    return rows;
  }
  const themeCount = Math.max(50, Math.round(size / 1000));
  const themes = new Float32Array(themeCount * dim);
  fillGaussian(random, themes, 0, themes.length);
  const centre = new Float32Array(dim);
  let row = 0;
  while (row < size) {
    const theme = Math.floor(random() * themeCount) * dim;
    // The point a group sits at: the theme plus a spread as large again, so themes overlap like real classes.
    fillGaussian(random, centre, 0, dim, 1, themes, theme);
    const group = random() < 0.3 ? 1 : 1 + Math.floor(random() * 8);
    const spread = group === 1 ? 0 : 0.45;
    for (let j = 0; j < group && row < size; j++, row++) fillGaussian(random, rows, row * dim, (row + 1) * dim, spread, centre, 0);
  }
  normaliseRows(rows, dim);
  return rows;
}

/**
 * Queries a user would send: a look-alike of a catalog image, i.e. a stored vector plus noise (cosine ≈ 0.95
 * to its source), drawn from rows spread over the catalog.
 */
export function nearQueries(rows: Float32Array, dim: number, count: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const size = rows.length / dim;
  return Array.from({ length: count }, () => {
    const at = Math.floor(random() * size) * dim;
    const q = new Float32Array(dim);
    fillGaussian(random, q, 0, dim, 0.33 / Math.sqrt(dim), rows, at);
    return q;
  });
}
