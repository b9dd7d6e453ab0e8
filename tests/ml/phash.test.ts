import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hammingDistance, phash, phashSimilarity } from '../../src-main/ml/phash.ts';

/** A tiny "logo": a dark disc top-left and a bar along the bottom, on white. */
const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128">
  <rect width="128" height="128" fill="#ffffff"/>
  <circle cx="40" cy="40" r="28" fill="#1a237e"/>
  <rect x="10" y="92" width="108" height="18" fill="#c62828"/>
</svg>`;

/** A different layout: diagonal band and a square to the right. */
const OTHER = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128">
  <rect width="128" height="128" fill="#ffffff"/>
  <polygon points="0,128 40,128 128,40 128,0" fill="#2e7d32"/>
  <rect x="12" y="14" width="40" height="40" fill="#000000"/>
</svg>`;

const png = (svg: string) => sharp(Buffer.from(svg)).png().toBuffer();

describe('phash', () => {
  it('is deterministic and splits its 64 bits evenly at the median', async () => {
    const buffer = await png(LOGO);
    const hash = await phash(buffer);
    expect(await phash(buffer)).toBe(hash);
    // Thresholding at the median sets half the bits, which keeps hashes of unrelated images ~32 bits apart.
    expect(hammingDistance(hash, 0n)).toBe(32);
    expect(hammingDistance(await phash(await png(OTHER)), 0n)).toBe(32);
  });

  it('barely changes when the image is resized and re-encoded as a lossy JPEG', async () => {
    const original = await phash(await png(LOGO));
    const jpeg = await sharp(Buffer.from(LOGO)).resize(301, 301).jpeg({ quality: 40 }).toBuffer();
    const webpSmall = await sharp(Buffer.from(LOGO)).resize(64, 64).webp({ quality: 50 }).toBuffer();
    // Coefficients near the median may flip; a handful of bits out of 64 is the usual pHash tolerance.
    expect(hammingDistance(original, await phash(jpeg))).toBeLessThanOrEqual(6);
    expect(hammingDistance(original, await phash(webpSmall))).toBeLessThanOrEqual(6);
    expect(phashSimilarity(original, await phash(jpeg))).toBeGreaterThanOrEqual(0.9);
  });

  it('differs a lot between different images, including a mirrored copy', async () => {
    const logo = await phash(await png(LOGO));
    const other = await phash(await png(OTHER));
    const mirrored = await phash(await sharp(Buffer.from(LOGO)).flop().png().toBuffer());
    expect(hammingDistance(logo, other)).toBeGreaterThanOrEqual(20);
    expect(hammingDistance(logo, mirrored)).toBeGreaterThanOrEqual(16);
    expect(phashSimilarity(logo, other)).toBeLessThan(0.7);
  });

  it('treats transparency as white, so a logo on a transparent canvas matches the same logo on white', async () => {
    const transparent = LOGO.replace('<rect width="128" height="128" fill="#ffffff"/>', '');
    const a = await phash(await png(LOGO));
    const b = await phash(await png(transparent));
    expect(hammingDistance(a, b)).toBeLessThanOrEqual(2);
  });
});

describe('hammingDistance / phashSimilarity', () => {
  it('counts differing bits over the full 64', () => {
    expect(hammingDistance(0b1011n, 0n)).toBe(3);
    const allOnes = (1n << 64n) - 1n;
    expect(hammingDistance(allOnes, 0n)).toBe(64);
    expect(phashSimilarity(allOnes, 0n)).toBe(0);
    expect(phashSimilarity(allOnes, allOnes)).toBe(1);
    expect(phashSimilarity(0xffn, 0n)).toBe(1 - 8 / 64);
  });
});
