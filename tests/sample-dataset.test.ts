import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_SLUGS, makeSample } from '../scripts/make-sample.ts';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'brands');
const MAX_BYTES = 2 * 1024 * 1024;

const stems = (names: string[], ext: string) => names.filter((n) => n.endsWith(ext)).map((n) => n.slice(0, -ext.length));

/** Standard deviation of luminance: near 0 means a blank image, i.e. no visible logo. */
async function lumaSpread(file: string): Promise<number> {
  const grey = await sharp(file).greyscale().raw().toBuffer();
  let sum = 0, sumSq = 0;
  for (const v of grey) { sum += v; sumSq += v * v; }
  const mean = sum / grey.length;
  return Math.sqrt(sumSq / grey.length - mean * mean);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function readAll(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), await readFile(full));
    }
  }
  return files;
}

describe('committed sample dataset (samples/brands)', () => {
  let left: string[] = [];
  let right: string[] = [];

  beforeAll(async () => {
    left = (await readdir(path.join(SAMPLE, 'left'))).sort();
    right = (await readdir(path.join(SAMPLE, 'right'))).sort();
  });

  it('holds 40–100 pairs, each left <slug>.png matched by exactly one right <slug>.jpg', () => {
    expect(left.every((n) => n.endsWith('.png'))).toBe(true);
    expect(right.every((n) => n.endsWith('.jpg'))).toBe(true);
    const leftStems = stems(left, '.png');
    const rightStems = stems(right, '.jpg');
    expect(leftStems.length).toBeGreaterThanOrEqual(40);
    expect(leftStems.length).toBeLessThanOrEqual(100);
    expect(new Set(leftStems).size).toBe(leftStems.length);
    expect(rightStems).toEqual(leftStems);
  });

  it('decodes every image; left is a 256² PNG logo, right a visibly different JPEG that still shows a logo', async () => {
    for (const stem of stems(left, '.png')) {
      const leftFile = path.join(SAMPLE, 'left', `${stem}.png`);
      const rightFile = path.join(SAMPLE, 'right', `${stem}.jpg`);
      const l = await sharp(leftFile).metadata();
      const r = await sharp(rightFile).metadata();
      expect(l.format, stem).toBe('png');
      expect([l.width, l.height], stem).toEqual([256, 256]);
      expect(r.format, stem).toBe('jpeg');
      for (const side of [r.width, r.height]) {
        expect(side, stem).toBeGreaterThanOrEqual(200);
        expect(side, stem).toBeLessThanOrEqual(320);
      }
      expect(await lumaSpread(leftFile), stem).toBeGreaterThan(12);
      expect(await lumaSpread(rightFile), stem).toBeGreaterThan(12);

      // Not a re-encoded copy: at a common size the pixels differ clearly on average.
      const [a, b] = await Promise.all([leftFile, rightFile].map((f) =>
        sharp(f).greyscale().resize(64, 64, { fit: 'fill' }).raw().toBuffer()));
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
      expect(diff / a.length, stem).toBeGreaterThan(10);
    }
  });

  it('stays under 2 MB in total', async () => {
    expect(await folderBytes(SAMPLE)).toBeLessThan(MAX_BYTES);
  });

  it('README records the installed simple-icons version and licence, the trademark note and every pair', async () => {
    const readme = await readFile(path.join(SAMPLE, 'README.md'), 'utf8');
    const require = createRequire(import.meta.url);
    const pkgRoot = path.dirname(path.dirname(require.resolve('simple-icons/icons.json')));
    const pkg = JSON.parse(await readFile(path.join(pkgRoot, 'package.json'), 'utf8')) as { version: string; license: string };
    expect(pkg.license).toBe('CC0-1.0');
    expect(readme).toContain(`simple-icons ${pkg.version}`);
    expect(readme).toContain('CC0-1.0');
    expect(readme).toMatch(/trademarks of their respective owners/);
    for (const stem of stems(left, '.png')) expect(readme).toContain(`| ${stem} |`);
  });
});

describe('makeSample', () => {
  let tmp = '';
  beforeAll(async () => { tmp = await mkdtemp(path.join(os.tmpdir(), 'lookalike-sample-')); });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  it('writes the same bytes on every run with the same seed, and other bytes with another seed', async () => {
    const progress: string[] = [];
    const first = await makeSample({ out: path.join(tmp, 'a'), count: 3, seed: 1, onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.slug}`) });
    await makeSample({ out: path.join(tmp, 'b'), count: 3, seed: 1 });
    await makeSample({ out: path.join(tmp, 'c'), count: 3, seed: 2 });

    expect(first.pairs.map((p) => p.slug)).toEqual(BRAND_SLUGS.slice(0, 3));
    expect(progress).toEqual(BRAND_SLUGS.slice(0, 3).map((s, i) => `${i + 1}/3 ${s}`));
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((d) => readAll(path.join(tmp, d))));
    expect([...a.keys()].sort()).toEqual(['README.md', ...BRAND_SLUGS.slice(0, 3).flatMap((s) => [`left/${s}.png`, `right/${s}.jpg`])].sort());
    for (const [name, bytes] of a) expect(bytes.equals(b.get(name)!), name).toBe(true);
    // The seed drives the look-alike recipe only; the clean left logos do not depend on it.
    for (const slug of BRAND_SLUGS.slice(0, 3)) {
      expect(a.get(`left/${slug}.png`)!.equals(c.get(`left/${slug}.png`)!)).toBe(true);
      expect(a.get(`right/${slug}.jpg`)!.equals(c.get(`right/${slug}.jpg`)!)).toBe(false);
    }
  });

  it('rejects a count outside 1..the brand list', async () => {
    await expect(makeSample({ out: path.join(tmp, 'z'), count: 0 })).rejects.toThrow(RangeError);
    await expect(makeSample({ out: path.join(tmp, 'z'), count: BRAND_SLUGS.length + 1 })).rejects.toThrow(RangeError);
  });
});
