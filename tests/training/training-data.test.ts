import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { pairsWithImages, type StoredPair } from '../../src-main/catalog/datasets.ts';
import { markFeedback, trainingFeedback, type TrainingFeedback } from '../../src-main/catalog/feedback.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { addLookalikePairs, assembleTrainingData, TrainingDataError } from '../../src-main/training/training-data.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

const NO_MARKS = (): TrainingFeedback => ({ extraNegatives: new Map(), knownMatches: new Map(), extraPositives: [] });

/** A pair whose images are named after it: image ids 2i+1 (left) and 2i+2 (right). */
function pair(i: number, split: StoredPair['split']): StoredPair {
  const image = (id: number, side: string) => ({ imageId: id, path: `/d/${side}/p${i}.png`, width: 8, height: 8, format: 'png', sha256: `${side}${i}` });
  return { id: i + 1, name: `p${i}`, split, datasetId: 1, datasetName: 'd', left: image(2 * i + 1, 'left'), right: image(2 * i + 2, 'right') };
}

const PAIRS = [pair(0, 'train'), pair(1, 'val'), pair(2, 'train'), pair(3, 'test'), pair(4, 'train')];

describe('assembleTrainingData', () => {
  it('keeps the catalog order and splits, each pair with its own two images', () => {
    const data = assembleTrainingData(PAIRS, NO_MARKS, false);
    expect(data).toMatchObject({ trainPairs: [0, 2, 4], valPairs: [1], testPairs: [3] });
    expect(data.left.map((r) => r.sha256)).toEqual(['left0', 'left1', 'left2', 'left3', 'left4']);
    expect(data.right[2]).toEqual({ sha256: 'right2', path: '/d/right/p2.png' });
    expect(data.knownMatches.size).toBe(0);
  });

  it('symmetric training adds each training pair reversed, as its match and never its negative; val and test stay', () => {
    const data = assembleTrainingData(PAIRS, NO_MARKS, true);
    expect(data.trainPairs).toEqual([0, 2, 4, 5, 6, 7]);
    expect(data).toMatchObject({ valPairs: [1], testPairs: [3] });
    expect(data.left[5]).toEqual(data.right[0]);
    expect(data.right[5]).toEqual(data.left[0]);
    expect(data.left[7]).toEqual(data.right[4]);
    expect(data.knownMatches.get(0)).toEqual([5]);
    expect(data.knownMatches.get(5)).toEqual([0]);
    expect(data.knownMatches.get(6)).toEqual([2]);
  });

  it('maps marks onto training pairs only and trains on a "match" mark as an extra pair', () => {
    let seen: Map<number, number> | undefined;
    const data = assembleTrainingData(
      PAIRS,
      (index) => {
        seen = index;
        // A user marked right/p4 as the match of left/p0, and p2 as not a match of p0.
        return { extraNegatives: new Map([[0, [2]]]), knownMatches: new Map([[0, [4]], [4, [0]]]), extraPositives: [{ leftImageId: 1, rightImageId: 10 }] };
      },
      false,
    );
    // Only training pairs' images are offered to the marks: val's p1 (images 3, 4) and test's p3 (7, 8) are not.
    expect([...seen!.entries()]).toEqual([[1, 0], [2, 0], [5, 2], [6, 2], [9, 4], [10, 4]]);
    expect(data.trainPairs).toEqual([0, 2, 4, 5]);
    expect(data.left[5]).toEqual({ sha256: 'left0', path: '/d/left/p0.png' });
    expect(data.right[5]).toEqual({ sha256: 'right4', path: '/d/right/p4.png' });
    // The new pair and the two it borrows its images from are never each other's negatives.
    expect(data.knownMatches.get(5)).toEqual([0, 4]);
    expect(data.knownMatches.get(0)).toEqual([4, 5]);
    expect(data.knownMatches.get(4)).toEqual([0, 5]);
    expect(data.extraNegatives.get(0)).toEqual([2]);
  });

  it('refuses a dataset with fewer than 2 training pairs', () => {
    expect(() => assembleTrainingData([pair(0, 'train'), pair(1, 'val')], NO_MARKS, true)).toThrow(TrainingDataError);
    expect(() => assembleTrainingData([pair(0, 'train')], NO_MARKS, false)).toThrow(/1 training pairs; training needs at least 2/);
  });
});

describe('addLookalikePairs (the default path: --augment 8)', () => {
  it('adds logo → variant pairs, and no two pairs of one logo are ever each other\'s negatives', () => {
    const data = assembleTrainingData(PAIRS, NO_MARKS, false);
    const variant = (logo: number, k: number) => ({ sha256: `v${logo}.${k}`, path: `/aug/v${logo}.${k}.jpg` });
    addLookalikePairs(data, [0, 2, 4], [0, 2, 4].map((i) => [variant(i, 0), variant(i, 1)]));
    expect(data.trainPairs).toEqual([0, 2, 4, 5, 6, 7, 8, 9, 10]);
    expect(data.left.slice(5)).toEqual([data.left[0], data.left[0], data.left[2], data.left[2], data.left[4], data.left[4]]);
    expect(data.right.slice(5).map((r) => r.sha256)).toEqual(['v0.0', 'v0.1', 'v2.0', 'v2.1', 'v4.0', 'v4.1']);
    const groups = [[0, 5, 6], [2, 7, 8], [4, 9, 10]];
    for (const group of groups) {
      for (const a of group) expect([...data.knownMatches.get(a)!].sort((x, y) => x - y)).toEqual(group.filter((b) => b !== a));
    }
    // Other logos' pairs stay negatives: nothing links two groups.
    expect(data.knownMatches.get(5)).not.toContain(7);
    expect(data.valPairs).toEqual([1]);
  });
});

describe('with the catalog\'s feedback', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Db;
  beforeAll(async () => {
    tmp = tempDir();
    db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
    await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 12), { name: 'tiny' });
  });
  afterAll(() => {
    db.close();
    tmp.cleanup();
  });

  it('a "match" mark between two training pairs becomes an extra training pair of those images', () => {
    const pairs = pairsWithImages(db, { datasetId: 1 });
    const train = pairs.filter((p) => p.split === 'train');
    const [a, b] = train;
    const before = assembleTrainingData(pairs, (index) => trainingFeedback(db, index), false);
    markFeedback(db, { querySha256: a.right.sha256, resultImageId: b.left.imageId, verdict: 'match' });
    const after = assembleTrainingData(pairs, (index) => trainingFeedback(db, index), false);
    expect(after.trainPairs).toHaveLength(before.trainPairs.length + 1);
    const extra = after.trainPairs.at(-1)!;
    expect(after.left[extra]).toEqual({ sha256: a.right.sha256, path: a.right.path });
    expect(after.right[extra]).toEqual({ sha256: b.left.sha256, path: b.left.path });
    expect(after.knownMatches.get(extra)).toEqual([pairs.indexOf(a), pairs.indexOf(b)]);
  });
});
