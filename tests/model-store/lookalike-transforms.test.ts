import path from 'node:path';
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src-main/ml/seeded-random.ts';
import { inkMask, LOOKALIKE_TRANSFORMS, type RawImage } from '../../src-main/model-store/lookalike-transforms.ts';
import { lookalikeVariants, pickTransforms } from '../../src-main/model-store/augment.ts';
import { tempDir } from '../helpers/fixtures.ts';

const SIZE = 64;
/** White ground, a red square over [16, 48) × [16, 48). */
function logo(): RawImage {
  const data = new Uint8Array(SIZE * SIZE * 3).fill(255);
  for (let y = 16; y < 48; y++) for (let x = 16; x < 48; x++) data.set([200, 30, 30], (y * SIZE + x) * 3);
  return { size: SIZE, data };
}
const px = (img: RawImage, x: number, y: number) => Array.from(img.data.subarray((y * img.size + x) * 3, (y * img.size + x) * 3 + 3));
const inkCount = (img: RawImage) => inkMask(img).reduce((s, v) => s + v, 0);
const colours = (img: RawImage) => new Set(Array.from({ length: img.size * img.size }, (_, i) => px(img, i % img.size, Math.floor(i / img.size)).join())).size;
/** Sum of squared differences between horizontal neighbours: the energy of sharp edges (a blur spreads a step, lowering it). */
const detail = (img: RawImage) => { let s = 0; for (let i = 3; i < img.data.length; i++) s += (img.data[i] - img.data[i - 3]) ** 2; return s; };
const apply = async (name: keyof typeof LOOKALIKE_TRANSFORMS, seed = 1) => LOOKALIKE_TRANSFORMS[name](logo(), createRandom(seed));

describe('look-alike transforms, each on a constructed logo', () => {
  it('recolour-flat: the mark in one flat colour on white (a monochrome glyph)', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const out = await apply('recolour-flat', seed);
      expect(colours(out)).toBe(2);
      expect(px(out, 0, 0)).toEqual([255, 255, 255]);
      expect(px(out, 20, 20)).toEqual(px(out, 40, 40));
    }
    // Mostly black: across seeds both a black glyph and a coloured one appear.
    const inks = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(async (s) => px(await apply('recolour-flat', s), 30, 30).join()));
    expect(inks).toContain('0,0,0');
    expect(new Set(inks).size).toBeGreaterThan(1);
  });

  it('invert: every value v becomes 255 − v', async () => {
    const out = await apply('invert');
    expect(px(out, 0, 0)).toEqual([0, 0, 0]);
    expect(px(out, 30, 30)).toEqual([55, 225, 225]);
  });

  it('outline: the edge of the mark stays, its inside becomes ground', async () => {
    const out = await apply('outline');
    expect(px(out, 16, 30)).toEqual([200, 30, 30]);
    expect(px(out, 32, 32)).toEqual([255, 255, 255]);
    expect(inkCount(out)).toBeLessThan(inkCount(logo()) / 2);
    expect(inkCount(out)).toBeGreaterThan(0);
  });

  it('crop-pad: the mark moves and changes size, with a ground-coloured frame around', async () => {
    const out = await apply('crop-pad');
    for (const [x, y] of [[0, 0], [63, 0], [0, 63], [63, 63], [32, 0], [0, 32]]) expect(px(out, x, y)).toEqual([255, 255, 255]);
    expect(inkCount(out)).not.toBe(inkCount(logo()));
    expect(inkCount(out)).toBeGreaterThan(0);
  });

  it('perspective: corners move by a few per cent, the mark keeps roughly its area and colour', async () => {
    const out = await apply('perspective');
    expect(Buffer.compare(Buffer.from(out.data), Buffer.from(logo().data))).not.toBe(0);
    const ratio = inkCount(out) / inkCount(logo());
    expect(ratio).toBeGreaterThan(0.7);
    expect(ratio).toBeLessThan(1.4);
    expect(px(out, 32, 32)).toEqual([200, 30, 30]);
  });

  it('clutter: shapes on the ground, never over the mark', async () => {
    const out = await apply('clutter');
    const mask = inkMask(logo());
    let groundChanged = 0;
    for (let i = 0; i < SIZE * SIZE; i++) {
      const same = px(out, i % SIZE, Math.floor(i / SIZE)).join() === px(logo(), i % SIZE, Math.floor(i / SIZE)).join();
      if (mask[i]) expect(same).toBe(true);
      else if (!same) groundChanged++;
    }
    expect(groundChanged).toBeGreaterThan(20);
  });

  it('text: letters in the bottom sixth, nothing changed above it', async () => {
    for (let seed = 1; seed <= 40; seed++) await apply("text", seed); // every word (8) can be drawn
    const out = await apply('text');
    let below = 0, above = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        if (px(out, x, y).join() === px(logo(), x, y).join()) continue;
        if (y >= SIZE - Math.floor(SIZE / 6)) below++;
        else above++;
      }
    }
    expect(above).toBe(0);
    expect(below).toBeGreaterThan(10);
  });

  it('blur softens edges; jpeg keeps the picture but not the exact pixels', async () => {
    const blurred = await apply('blur');
    expect(detail(blurred)).toBeLessThan(detail(logo()));
    const jpeg = await apply('jpeg');
    expect(Buffer.compare(Buffer.from(jpeg.data), Buffer.from(logo().data))).not.toBe(0);
    const meanDiff = jpeg.data.reduce((s, v, i) => s + Math.abs(v - logo().data[i]), 0) / jpeg.data.length;
    expect(meanDiff).toBeGreaterThan(0);
    expect(meanDiff).toBeLessThan(20);
  });

  it('every transform is a function of its seed: same seed, same pixels', async () => {
    for (const name of Object.keys(LOOKALIKE_TRANSFORMS) as (keyof typeof LOOKALIKE_TRANSFORMS)[]) {
      const a = await apply(name, 9);
      const b = await apply(name, 9);
      expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)), name).toBe(0);
    }
    expect(pickTransforms(createRandom(3))).toEqual(pickTransforms(createRandom(3)));
  });
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('realistic look-alikes of a logo file: same seed → same bytes, each a JPEG that differs from the logo', async () => {
  const file = path.join(tmp.dir, 'logo.png');
  await sharp(Buffer.from(logo().data), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(file);
  const source = { sha256: 'cd'.repeat(32), path: file };
  const a = await lookalikeVariants(source, 6, 11, path.join(tmp.dir, 'a'), 'realistic');
  const b = await lookalikeVariants(source, 6, 11, path.join(tmp.dir, 'b'), 'realistic');
  expect(a.map((v) => v.sha256)).toEqual(b.map((v) => v.sha256));
  a.forEach((v, i) => expect(fs.readFileSync(v.path).equals(fs.readFileSync(b[i].path))).toBe(true));
  expect(new Set(a.map((v) => v.sha256)).size).toBe(6);
  // Classic variants of the same logo and seed are other files: the styles never share a cache entry.
  const classic = await lookalikeVariants(source, 1, 11, path.join(tmp.dir, 'a'));
  expect(classic[0].path).not.toBe(a[0].path);
  for (const v of a) expect((await sharp(v.path).metadata()).format).toBe('jpeg');
});
