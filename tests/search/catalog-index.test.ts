import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogIndex, indexFolderFor } from '../../src-main/search/catalog-index.ts';
import { DEFAULT_ANN_PARAMS, type AnnParams } from '../../src-main/search/ann-index.ts';
import { seededRandom } from '../../src-main/ml/metrics/verification-metrics.ts';

const dim = 32;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * What embeddings look like: groups of near-duplicates (a logo and its variants) around a few hundred broad
 * themes, plus background vectors of the same themes. Query = a jittered copy of a stored vector.
 */
function clustered(count: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  const themes = Array.from({ length: 200 }, () => Float32Array.from({ length: dim }, () => gaussian(random)));
  const out: Float32Array[] = [];
  while (out.length < count) {
    const theme = themes[Math.floor(random() * themes.length)];
    const centre = theme.map((x) => x + 0.8 * gaussian(random));
    const group = 1 + Math.floor(random() * 8);
    for (let j = 0; j < group && out.length < count; j++) out.push(centre.map((x) => x + 0.15 * gaussian(random)));
  }
  return out;
}

function jitter(v: Float32Array, random: () => number): Float32Array {
  return v.map((x) => x + 0.05 * gaussian(random));
}

function build(vectors: Float32Array[], folder?: string, firstId = 1, ann?: Partial<AnnParams>): CatalogIndex {
  const index = new CatalogIndex({ dim, embedderKey: 'run:7', folder, annMinVectors: 1000, threads: 1, ann });
  vectors.forEach((v, i) => index.add(firstId + i, v));
  index.sync();
  return index;
}

const folders: string[] = [];
function tempFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-index-'));
  folders.push(dir);
  return path.join(dir, 'catalog.sqlite.d', 'index');
}
afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('CatalogIndex', () => {
  const vectors = clustered(6000, 11);

  it('answers through the graph above the threshold and finds ≥ 95 % of the exact top 10 on clustered vectors', () => {
    const index = build(vectors);
    expect(index.approximate).toBe(true);
    const random = seededRandom(5);
    let found = 0;
    const queries = 100;
    for (let i = 0; i < queries; i++) {
      const q = jitter(vectors[Math.floor(random() * vectors.length)], random);
      const exact = new Set(index.exact.search(q, 10).map((h) => h.id));
      const hits = index.search(q, 10);
      expect(hits).toHaveLength(10);
      found += hits.filter((h) => exact.has(h.id)).length;
      // Scores are exact cosines, best first, whatever the graph's quantised distances were.
      const rescored = index.exact.rescore(q, hits.map((h) => h.id), 10);
      expect(hits).toEqual(rescored);
    }
    expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps answering exactly when the graph fails its recall self-test, and remembers the verdict with the graph', () => {
    // Uniform random directions (no structure for a graph to follow) and a starved graph: 2 links per node.
    const random = seededRandom(17);
    const noise = Array.from({ length: 3000 }, () => Float32Array.from({ length: dim }, () => gaussian(random)));
    const folder = tempFolder();
    const starved = { connectivity: 2, expansionAdd: 2, expansionSearch: 1, shortlist: 1 };
    const index = build(noise, folder, 1, starved);
    expect(index.probedRecall).toBeLessThan(0.95);
    expect(index.approximate).toBe(false);
    for (let i = 0; i < 20; i++) {
      const q = jitter(noise[Math.floor(random() * noise.length)], random);
      expect(index.search(q, 10)).toEqual(index.exact.search(q, 10));
    }
    const graph = path.join(folder, 'run_7.usearch');
    const written = fs.statSync(graph).mtimeMs;
    const reopened = build(noise, folder, 1, starved);
    expect(reopened.probedRecall).toBe(index.probedRecall);
    expect(reopened.approximate).toBe(false);
    expect(fs.statSync(graph).mtimeMs).toBe(written);
    // The same vectors with the default graph pass, and the graph answers.
    const good = build(noise, undefined);
    expect(good.probedRecall).toBeGreaterThanOrEqual(0.95);
    expect(good.approximate).toBe(true);
  });

  it('stays exact below the threshold', () => {
    const small = new CatalogIndex({ dim, embedderKey: 'run:7', annMinVectors: 1000 });
    vectors.slice(0, 999).forEach((v, i) => small.add(i + 1, v));
    small.sync();
    expect(small.approximate).toBe(false);
    expect(small.search(vectors[3], 5)).toEqual(small.exact.search(vectors[3], 5));
  });

  it('never loses a result to a filter: a selective one gives exactly the exact answer, a broad one a full page', () => {
    const index = build(vectors);
    const random = seededRandom(9);
    const rare = (id: number) => id % 97 === 0; // ~60 of 6000, scattered across clusters
    const half = (id: number) => id % 2 === 0;
    const only3 = (id: number) => id === 10 || id === 2000 || id === 5999;
    for (let i = 0; i < 20; i++) {
      const q = jitter(vectors[Math.floor(random() * vectors.length)], random);
      expect(index.search(q, 10, rare)).toEqual(index.exact.search(q, 10, rare));
      expect(index.search(q, 10, only3).map((h) => h.id).sort((a, b) => a - b)).toEqual([10, 2000, 5999]);
      const broad = index.search(q, 10, half);
      expect(broad).toHaveLength(10);
      expect(broad.every((h) => half(h.id))).toBe(true);
    }
    expect(index.search(vectors[0], 10, () => false)).toEqual([]);
  });

  it('under a dataset- or side-like filter returns only passing images, a full page, and ≥ 95 % of the exact filtered top 10', () => {
    const index = build(vectors);
    const random = seededRandom(21);
    // A dataset is a run of consecutive ids (imported together); a side is every other image.
    const filters = { dataset: (id: number) => id > 1500 && id <= 2700, side: (id: number) => id % 2 === 1 };
    for (const filter of Object.values(filters)) {
      let found = 0;
      for (let i = 0; i < 40; i++) {
        const q = jitter(vectors[Math.floor(random() * vectors.length)], random);
        const exact = new Set(index.exact.search(q, 10, filter).map((h) => h.id));
        const hits = index.search(q, 10, filter);
        expect(hits).toHaveLength(10);
        expect(hits.every((h) => filter(h.id))).toBe(true);
        found += hits.filter((h) => exact.has(h.id)).length;
      }
      expect(found / 400).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('persists the graph beside the catalog and reopens it instead of rebuilding', () => {
    const folder = tempFolder();
    const first = build(vectors, folder);
    const graph = path.join(folder, 'run_7.usearch');
    expect(fs.existsSync(graph)).toBe(true);
    const written = fs.statSync(graph).mtimeMs;
    const reopened = build(vectors, folder);
    expect(reopened.approximate).toBe(true);
    expect(fs.statSync(graph).mtimeMs).toBe(written); // nothing to add: the file was read, not rewritten
    const random = seededRandom(3);
    for (let i = 0; i < 10; i++) {
      const q = jitter(vectors[Math.floor(random() * vectors.length)], random);
      expect(reopened.search(q, 10)).toEqual(first.search(q, 10));
    }
  });

  it('adds new embeddings to the persisted graph incrementally, and they are found at once', () => {
    const folder = tempFolder();
    build(vectors.slice(0, 5000), folder);
    const meta = path.join(folder, 'run_7.json');
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).count).toBe(5000);
    // A later session: the catalog has 1000 more images (higher ids), the graph is opened and only they are added.
    const grown = build(vectors, folder);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).count).toBe(6000);
    for (const i of [5000, 5500, 5999]) expect(grown.search(vectors[i], 1)[0].id).toBe(i + 1);
    // In the same session, one more image: sync adds it without a rebuild.
    const extra = clustered(1, 99)[0];
    grown.add(10_000, extra);
    expect(grown.search(extra, 1)[0].id).toBe(10_000); // found even before sync (the exact scan answers)
    grown.sync();
    expect(grown.search(extra, 1)[0].id).toBe(10_000);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).count).toBe(6001);
  });

  it('rebuilds instead of trusting a graph whose images changed or whose file is damaged', () => {
    const folder = tempFolder();
    build(vectors, folder);
    // Same count, different ids (images deleted and others imported): the old graph would return stale ids.
    const shifted = build(vectors, folder, 50_000);
    for (const i of [0, 1234, 5999]) expect(shifted.search(vectors[i], 1)[0].id).toBe(50_000 + i);
    fs.writeFileSync(path.join(folder, 'run_7.usearch'), 'not an index');
    const repaired = build(vectors, folder, 50_000);
    expect(repaired.approximate).toBe(true);
    expect(repaired.search(vectors[42], 1)[0].id).toBe(50_042);
  });

  it('rebuilds a graph built with other build settings, but reopens it for other search settings', () => {
    const folder = tempFolder();
    const graph = path.join(folder, 'run_7.usearch');
    const meta = path.join(folder, 'run_7.json');
    build(vectors, folder, 1, { connectivity: 8, expansionAdd: 32 });
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).build).toEqual({ connectivity: 8, expansionAdd: 32, quantization: DEFAULT_ANN_PARAMS.quantization });
    const oldBytes = fs.statSync(graph).size;
    // Today's defaults: M differs, so the old graph (fewer links per node) is replaced, not reused.
    const rebuilt = build(vectors, folder);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).build).toEqual({ connectivity: DEFAULT_ANN_PARAMS.connectivity, expansionAdd: DEFAULT_ANN_PARAMS.expansionAdd, quantization: DEFAULT_ANN_PARAMS.quantization });
    expect(fs.statSync(graph).size).not.toBe(oldBytes);
    expect(rebuilt.search(vectors[7], 1)[0].id).toBe(8);
    // Another ef / shortlist is a search-time setting: the same file is opened, nothing is rebuilt.
    const written = fs.statSync(graph).mtimeMs;
    const wider = build(vectors, folder, 1, { expansionSearch: 512, shortlist: 200 });
    expect(wider.approximate).toBe(true);
    expect(fs.statSync(graph).mtimeMs).toBe(written);
    expect(wider.search(vectors[7], 1)[0].id).toBe(8);
  });

  it('rebuilds a graph whose side file is of the old format (search settings mixed into its build settings)', () => {
    const folder = tempFolder();
    build(vectors, folder);
    const meta = path.join(folder, 'run_7.json');
    const current = JSON.parse(fs.readFileSync(meta, 'utf8'));
    const { build: params, ...rest } = current;
    fs.writeFileSync(meta, JSON.stringify({ ...rest, version: 1, params: { ...params, expansionSearch: 256 } }));
    const graph = path.join(folder, 'run_7.usearch');
    const written = fs.statSync(graph).mtimeMs;
    const reopened = build(vectors, folder);
    expect(reopened.approximate).toBe(true);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).version).toBe(current.version);
    expect(fs.statSync(graph).mtimeMs).toBeGreaterThan(written);
  });

  it('keeps its files in a folder beside the catalog file, and none for an in-memory catalog', () => {
    expect(indexFolderFor('/data/catalog.sqlite')).toBe(path.join('/data/catalog.sqlite.d', 'index'));
    expect(indexFolderFor(':memory:')).toBeUndefined();
  });
});
