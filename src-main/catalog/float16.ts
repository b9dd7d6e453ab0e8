/**
 * IEEE 754 half-precision codec for cached activations: half the bytes of float32, 11 significant bits (a
 * relative rounding error ≤ 2⁻¹¹ ≈ 4.9e-4 for normal values). Round to nearest, ties to even, as hardware does.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** One float32 as the 16 bits of the nearest half (±65504 saturate to ±Infinity, as a cast would). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Infinity or NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const midway = 1 << (shift - 1);
    if (rest > midway || (rest === midway && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++; // may carry into the exponent: still right
  return sign | half;
}

/** The 16 bits of a half as a number. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Float32 values as a blob of halves (little-endian). */
export function encodeHalves(v: Float32Array): Buffer {
  const out = Buffer.alloc(v.length * 2);
  for (let i = 0; i < v.length; i++) out.writeUInt16LE(toHalfBits(v[i]), i * 2);
  return out;
}

/** A blob of halves back as float32 values. */
export function decodeHalves(blob: Buffer): Float32Array {
  const out = new Float32Array(blob.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = fromHalfBits(blob.readUInt16LE(i * 2));
  return out;
}
