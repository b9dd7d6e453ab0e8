import { expect, it } from 'vitest';
import { decodeHalves, encodeHalves, fromHalfBits, toHalfBits } from '../../src-main/catalog/float16.ts';

it('encodes float32 as the nearest half: exact values, rounding ties to even, subnormals and overflow', () => {
  expect(toHalfBits(1)).toBe(0x3c00);
  expect(toHalfBits(-2)).toBe(0xc000);
  expect(toHalfBits(65504)).toBe(0x7bff);
  expect(toHalfBits(1e6)).toBe(0x7c00); // beyond half's range: Infinity
  expect(toHalfBits(2 ** -24)).toBe(0x0001); // the smallest subnormal
  expect(toHalfBits(2 ** -26)).toBe(0); // under half of it: zero
  // 1 + 2⁻¹¹ lies halfway between 1 and 1 + 2⁻¹⁰: ties go to the even mantissa (1); 1 + 3·2⁻¹¹ to 1 + 2·2⁻¹⁰.
  expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00);
  expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  expect(fromHalfBits(0x3555)).toBeCloseTo(1 / 3, 3);
  expect(Number.isNaN(fromHalfBits(toHalfBits(NaN)))).toBe(true);
});

it('a round trip keeps every value within half a unit in the last place (relative 2⁻¹¹)', () => {
  const v = new Float32Array(2000).map((_, i) => Math.sin(i * 12.9898) * 43.7);
  const back = decodeHalves(encodeHalves(v));
  expect(encodeHalves(v).byteLength).toBe(4000);
  v.forEach((x, i) => expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25));
});
