/**
 * Perceptual hash (pHash) baseline: a model-free similarity that a trained embedder has to beat.
 * Follows pHash.org's ph_dct_imagehash: greyscale, 32×32, 2-D DCT-II, keep the 8×8 block of lowest
 * frequencies *after* the DC row and column (coefficients 1..8 × 1..8, so brightness and the coarsest
 * gradients do not dominate), and set one bit per coefficient above their median. Re-encoding, resizing and
 * mild colour shifts barely move these coefficients; different layouts move them a lot.
 */
import sharp from 'sharp';

const SIZE = 32;
const BLOCK = 8;

/** cos((2x+1)·u·π / 2N) for u = 1..8 (row u-1) and x = 0..31, shared by both DCT passes. */
const COSINES: Float64Array[] = Array.from({ length: BLOCK }, (_, row) => {
  const u = row + 1;
  return Float64Array.from({ length: SIZE }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE)));
});

/** Reads an image as 32×32 greyscale luminance, row-major (transparent areas become white). */
async function greyscale32(buffer: Buffer | Uint8Array): Promise<Float64Array> {
  const { data, info } = await sharp(buffer)
    .rotate() // honour EXIF orientation, so a phone photo and its upright copy hash alike
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(SIZE, SIZE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const pixels = new Float64Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i * info.channels];
  return pixels;
}

/**
 * The 64 DCT-II coefficients (u, v) ∈ 1..8 × 1..8 of a 32×32 image, row-major in (u, v).
 * Computed separably and only for the coefficients kept: 8·32·32 + 8·8·32 multiply-adds instead of a full DCT.
 * The orthonormal scale factor is the same for every u, v ≥ 1, so it is left out: the median threshold
 * ignores a common scale.
 */
function lowFrequencyDct(pixels: Float64Array): Float64Array {
  // rowsPass[u][x] = Σ_y cos_u(y) · pixel(y, x)
  const rowsPass = COSINES.map((cosU) => {
    const out = new Float64Array(SIZE);
    for (let y = 0; y < SIZE; y++) {
      const c = cosU[y];
      for (let x = 0; x < SIZE; x++) out[x] += c * pixels[y * SIZE + x];
    }
    return out;
  });
  const coefficients = new Float64Array(BLOCK * BLOCK);
  for (let u = 0; u < BLOCK; u++) {
    for (let v = 0; v < BLOCK; v++) {
      let sum = 0;
      const cosV = COSINES[v];
      for (let x = 0; x < SIZE; x++) sum += rowsPass[u][x] * cosV[x];
      coefficients[u * BLOCK + v] = sum;
    }
  }
  return coefficients;
}

/**
 * 64-bit perceptual hash of an encoded image (any format sharp reads: PNG, JPEG, WebP, SVG, …).
 * Bit 63 (most significant) is coefficient (1, 1); a bit is set when its coefficient exceeds the median.
 */
export async function phash(buffer: Buffer | Uint8Array): Promise<bigint> {
  const coefficients = lowFrequencyDct(await greyscale32(buffer));
  const sorted = Float64Array.from(coefficients).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hash = 0n;
  for (let i = 0; i < coefficients.length; i++) {
    hash = (hash << 1n) | (coefficients[i] > median ? 1n : 0n);
  }
  return hash;
}

/** Number of differing bits between two 64-bit hashes (0..64). */
export function hammingDistance(a: bigint, b: bigint): number {
  let diff = BigInt.asUintN(64, a ^ b);
  let count = 0;
  while (diff !== 0n) {
    diff &= diff - 1n;
    count++;
  }
  return count;
}

/** Similarity in [0, 1] comparable to a cosine score's ordering: 1 − hamming / 64 (1 = identical hashes). */
export function phashSimilarity(a: bigint, b: bigint): number {
  return 1 - hammingDistance(a, b) / 64;
}
