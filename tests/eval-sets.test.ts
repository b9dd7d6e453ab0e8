import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvalSets, testNames, type EvalSetSummary } from '../scripts/make-eval-sets.ts';
import { sizedSvg } from '../scripts/eval-sets/render-svg.ts';

/** Relative path → SHA-256 of every file under dir. */
async function hashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), createHash('sha256').update(await readFile(full)).digest('hex'));
  }
  return out;
}

const LIMIT = 10;
let first: string, second: string;
let summaries: EvalSetSummary[];

beforeAll(async () => {
  first = await mkdtemp(path.join(os.tmpdir(), 'eval-sets-a-'));
  second = await mkdtemp(path.join(os.tmpdir(), 'eval-sets-b-'));
  summaries = await makeEvalSets({ out: first, limit: LIMIT });
  await makeEvalSets({ out: second, limit: LIMIT });
});

afterAll(async () => {
  await rm(first, { recursive: true, force: true });
  await rm(second, { recursive: true, force: true });
});

describe('make-eval-sets', () => {
  it('writes the same bytes on every run', async () => {
    const a = await hashes(first);
    const b = await hashes(second);
    // 2 sets × (10 pairs × 2 sides × 2 copies + README)
    expect(a.size).toBe(2 * (LIMIT * 4 + 1));
    expect([...b.entries()].sort()).toEqual([...a.entries()].sort());
  });

  it('writes paired folders with a 4/5 train, 1/5 test split that import and eval read directly', async () => {
    for (const summary of summaries) {
      const dir = path.join(first, summary.set);
      const left = (await readdir(path.join(dir, 'left'))).sort();
      expect(left).toHaveLength(LIMIT);
      expect((await readdir(path.join(dir, 'right'))).sort()).toEqual(left);
      const train = (await readdir(path.join(dir, 'train', 'left'))).sort();
      const test = (await readdir(path.join(dir, 'test', 'left'))).sort();
      expect((await readdir(path.join(dir, 'train', 'right'))).sort()).toEqual(train);
      expect((await readdir(path.join(dir, 'test', 'right'))).sort()).toEqual(test);
      expect(test).toHaveLength(LIMIT / 5);
      expect([...train, ...test].sort()).toEqual(left);
    }
  });

  it('pairs two different real drawings, each a visible black-or-colour image on white', async () => {
    for (const summary of summaries) {
      for (const name of summary.train.slice(0, 3)) {
        const l = await readFile(path.join(first, summary.set, 'left', name));
        const r = await readFile(path.join(first, summary.set, 'right', name));
        expect(l.equals(r)).toBe(false);
        for (const png of [l, r]) {
          const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
          expect([info.width, info.height]).toEqual([256, 256]);
          expect(data[0]).toBe(255); // the margin is white
          expect(Math.min(...data)).toBeLessThan(160); // and something is drawn
        }
      }
    }
  });

  it('records each package and licence in the README', async () => {
    const brands = await readFile(path.join(first, 'brands', 'README.md'), 'utf8');
    expect(brands).toMatch(/`simple-icons`@\S+ \(licence: CC0-1\.0\)/);
    expect(brands).toMatch(/`devicon`@\S+ \(licence: MIT\)/);
    const icons = await readFile(path.join(first, 'icons', 'README.md'), 'utf8');
    expect(icons).toMatch(/`@tabler\/icons`@\S+ \(licence: MIT\)/);
    expect(icons).toMatch(/`bootstrap-icons`@\S+ \(licence: MIT\)/);
  });
});

describe('testNames', () => {
  const names = Array.from({ length: 100 }, (_, i) => `icon-${i}.png`);
  it('takes a fifth, the same for the same seed, another for another seed', () => {
    const a = testNames(names, 1);
    expect(a.size).toBe(20);
    expect([...testNames(names, 1)]).toEqual([...a]);
    expect([...testNames(names, 2)].sort()).not.toEqual([...a].sort());
  });
});

describe('sizedSvg', () => {
  it('sizes a viewBox-only root and paints currentColor black', () => {
    const out = sizedSvg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 64"><path fill="currentColor" d="M0 0h1"/></svg>', 224);
    expect(out).toContain('width="224" height="224" viewBox="0 0 128 64"');
    expect(out).toContain('fill="#000000"');
  });
  it('derives a viewBox from width and height', () => {
    expect(sizedSvg('<svg width="16" height="16"><rect/></svg>', 100)).toContain('viewBox="0 0 16 16"');
  });
  it('refuses text that is not an SVG', () => {
    expect(() => sizedSvg('<html></html>', 10)).toThrow(/no <svg>/);
  });
});
