import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { listDatasets, listPairs, listProblems } from '../../src-main/catalog/datasets.ts';
import { importFolder, DatasetNameTakenError, type ImportProgress } from '../../src-main/importer/import-folder.ts';
import { NotPairedFolderError } from '../../src-main/importer/scan-paired-folder.ts';
import { imageBytes, noisyJpeg, pngBombHeader, svgBytes, tempDir, writeTree } from '../helpers/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let folder: string;

beforeEach(() => {
  tmp = tempDir();
  folder = path.join(tmp.dir, 'logos');
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

function problemFor(problems: { side: string; file: string; code: string; reason: string }[], side: string, file: string) {
  const found = problems.filter((p) => p.side === side && p.file === file);
  expect(found, `exactly one problem for ${side}/${file}`).toHaveLength(1);
  return found[0];
}

function rowCounts() {
  const n = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { datasets: n('datasets'), images: n('images'), pairs: n('pairs'), problems: n('import_problems') };
}

describe('importing a paired folder', () => {
  it('imports every format, pairs by name (exact first, then by stem) and keeps unicode, spaces and brackets', async () => {
    writeTree(folder, {
      'left/acme.png': await imageBytes('png', '#c00'),
      'right/acme.png': await imageBytes('jpeg', '#d11'), // JPEG content behind a .png name is still an image
      'left/Größe [v2] (final).JPG': await imageBytes('jpeg', '#0a0'),
      'right/Größe [v2] (final).JPG': await imageBytes('webp', '#1b1'),
      'left/日本 ロゴ.webp': await imageBytes('webp', '#00c'),
      'right/日本 ロゴ.gif': await imageBytes('gif', '#11d'), // same stem, other extension
      'left/tiffy.TIFF': await imageBytes('tiff', '#cc0'),
      'right/tiffy.tif': await imageBytes('avif', '#dd1'),
      'left/vector.svg': svgBytes('#0cc'),
      'right/vector.png': await imageBytes('png', '#1dd'),
    });
    const progress: ImportProgress[] = [];
    const result = await importFolder(db, folder, { onProgress: (p) => progress.push(p) });
    expect(result.problems).toEqual([]);
    expect(result.dataset.name).toBe('logos');
    expect(result).toMatchObject({ pairs: 5, added: 5, updated: 0 });
    const pairs = listPairs(db, result.dataset.id);
    expect(pairs.map((p) => p.name).sort()).toEqual(['Größe [v2] (final).JPG', 'acme.png', 'tiffy.TIFF', 'vector.svg', '日本 ロゴ.webp'].sort());
    const byName = Object.fromEntries(pairs.map((p) => [p.name, p]));
    expect(byName['acme.png'].right.format).toBe('jpeg');
    expect(byName['tiffy.TIFF'].right.format).toBe('avif');
    expect(byName['vector.svg'].left).toMatchObject({ format: 'svg', width: 40, height: 40 });
    expect(byName['日本 ロゴ.webp'].right).toMatchObject({ format: 'gif', width: 48, height: 32 });
    expect(fs.existsSync(byName['日本 ロゴ.webp'].right.path)).toBe(true);
    // Every image got a decodable WebP thumbnail.
    const thumbs = db.prepare('SELECT thumbnail FROM images').all() as { thumbnail: Buffer }[];
    expect(thumbs).toHaveLength(10);
    for (const t of thumbs) expect(t.thumbnail.subarray(8, 12).toString('ascii')).toBe('WEBP');
    // Progress reached the end of the decode, naming files as it went.
    const decode = progress.filter((p) => p.phase === 'decode');
    expect(decode.at(-1)).toMatchObject({ done: 10, total: 10 });
    expect(decode.some((p) => p.current === 'left/acme.png')).toBe(true);
    expect(progress.at(-1)?.phase).toBe('commit');
  });

  it('reports every unusable file with a specific reason and still imports the good pairs', async () => {
    const jpeg = await noisyJpeg();
    const png = await imageBytes('png', '#888', [200, 150]);
    writeTree(folder, {
      'left/good.png': await imageBytes('png', '#f00'),
      'right/good.png': await imageBytes('png', '#f11'),
      'left/lonely.png': await imageBytes('png', '#0f0'),
      'right/stray.png': await imageBytes('png', '#00f'),
      'left/empty.jpg': '',
      'right/empty.jpg': await imageBytes('jpeg', '#333'),
      'left/cut.jpg': await imageBytes('jpeg', '#444'),
      'right/cut.jpg': jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      'left/cutpng.png': png.subarray(0, Math.floor(png.length * 0.6)),
      'right/cutpng.png': await imageBytes('png', '#555'),
      'left/notes.png': 'These are my notes, not a picture.\n',
      'right/notes.png': await imageBytes('png', '#666'),
      'left/noise.webp': Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256)),
      'right/noise.webp': await imageBytes('webp', '#777'),
      'left/bomb.png': pngBombHeader(60_000, 60_000),
      'right/bomb.png': await imageBytes('png', '#888'),
      'left/readme.txt': 'hello',
      'left/.DS_Store': Buffer.from([0, 0, 0, 1]),
      'right/Thumbs.db': Buffer.from([1, 2, 3]),
      'left/nested/inner.png': await imageBytes('png', '#999'),
    });
    fs.mkdirSync(path.join(folder, 'left', 'folder.png'));
    fs.mkdirSync(path.join(folder, 'right', 'folder.png'));
    fs.symlinkSync(path.join(folder, 'left', 'gone.png'), path.join(folder, 'left', 'dangling.png'));
    fs.writeFileSync(path.join(folder, 'right', 'dangling.png'), await imageBytes('png', '#aaa'));
    fs.symlinkSync('loop.png', path.join(folder, 'left', 'loop.png'));
    fs.writeFileSync(path.join(folder, 'right', 'loop.png'), await imageBytes('png', '#bbb'));
    fs.symlinkSync(path.join(folder, 'left', 'good.png'), path.join(folder, 'left', 'linked.png'));
    fs.writeFileSync(path.join(folder, 'right', 'linked.png'), await imageBytes('png', '#ccc'));

    const result = await importFolder(db, folder);
    const problems = result.problems;
    expect(listPairs(db, result.dataset.id).map((p) => p.name)).toEqual(['good.png', 'linked.png']);
    expect(problemFor(problems, 'left', 'lonely.png')).toMatchObject({ code: 'ONE_SIDE_ONLY', reason: expect.stringContaining('right/') });
    expect(problemFor(problems, 'right', 'stray.png')).toMatchObject({ code: 'ONE_SIDE_ONLY', reason: expect.stringContaining('left/') });
    expect(problemFor(problems, 'left', 'empty.jpg')).toMatchObject({ code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' });
    expect(problemFor(problems, 'right', 'empty.jpg')).toMatchObject({ code: 'PARTNER_UNUSABLE', reason: expect.stringContaining('left/empty.jpg') });
    // The decoder's own words ("premature end of JPEG") when libvips hands them back, else a plain statement.
    expect(problemFor(problems, 'right', 'cut.jpg')).toMatchObject({ code: 'CORRUPT_IMAGE', reason: expect.stringMatching(/^corrupt or truncated jpeg: (.*premature end|the image data is damaged)/i) });
    expect(problemFor(problems, 'left', 'cutpng.png')).toMatchObject({ code: 'CORRUPT_IMAGE' });
    expect(problemFor(problems, 'left', 'notes.png')).toMatchObject({ code: 'NOT_AN_IMAGE', reason: expect.stringContaining('text') });
    expect(problemFor(problems, 'left', 'noise.webp')).toMatchObject({ code: 'NOT_AN_IMAGE' });
    expect(problemFor(problems, 'left', 'bomb.png')).toMatchObject({ code: 'TOO_MANY_PIXELS', reason: expect.stringContaining('60000×60000') });
    expect(problemFor(problems, 'left', 'readme.txt')).toMatchObject({ code: 'UNSUPPORTED_TYPE', reason: expect.stringContaining('.txt') });
    expect(problemFor(problems, 'left', '.DS_Store')).toMatchObject({ code: 'HIDDEN_FILE' });
    expect(problemFor(problems, 'right', 'Thumbs.db')).toMatchObject({ code: 'HIDDEN_FILE' });
    expect(problemFor(problems, 'left', 'nested')).toMatchObject({ code: 'DIRECTORY', reason: expect.stringContaining('subfolder') });
    expect(problemFor(problems, 'left', 'folder.png')).toMatchObject({ code: 'DIRECTORY', reason: expect.stringContaining('folder named like an image') });
    expect(problemFor(problems, 'left', 'dangling.png')).toMatchObject({ code: 'DANGLING_SYMLINK', reason: expect.stringContaining('gone.png') });
    expect(problemFor(problems, 'left', 'loop.png')).toMatchObject({ code: 'SYMLINK_LOOP' });
    // Every good file whose partner failed is reported as unused too, so the report covers every file.
    expect(problemFor(problems, 'left', 'cut.jpg')).toMatchObject({ code: 'PARTNER_UNUSABLE', reason: expect.stringContaining('right/cut.jpg') });
    for (const f of ['notes.png', 'noise.webp', 'bomb.png', 'dangling.png', 'loop.png', 'cutpng.png']) {
      expect(problemFor(problems, 'right', f).code).toBe('PARTNER_UNUSABLE');
    }
    // What the CLI lists later is what the import reported.
    expect(listProblems(db, result.dataset.id)).toHaveLength(problems.length);
    // linked.png is a link to good.png: the same content, stored once.
    expect(rowCounts()).toMatchObject({ pairs: 2, images: 3 });
  });

  it('refuses images over a configurable pixel limit from the header alone', async () => {
    writeTree(folder, {
      'left/big.png': await imageBytes('png', '#f00', [400, 300]),
      'right/big.png': await imageBytes('png', '#0f0', [40, 30]),
    });
    const result = await importFolder(db, folder, { limits: { maxPixels: 100_000 } });
    expect(result.pairs).toBe(0);
    expect(problemFor(result.problems, 'left', 'big.png')).toMatchObject({ code: 'TOO_MANY_PIXELS', reason: expect.stringContaining('120,000 pixels') });
  });

  it('re-importing is idempotent, adds new pairs, follows changed files and keeps splits', async () => {
    writeTree(folder, {
      'left/a.png': await imageBytes('png', '#a00'),
      'right/a.png': await imageBytes('png', '#a11'),
      'left/b.png': await imageBytes('png', '#b00'),
      'right/b.png': await imageBytes('png', '#b11'),
      'left/c.png': await imageBytes('png', '#c00'),
    });
    const first = await importFolder(db, folder);
    expect(first).toMatchObject({ pairs: 2, added: 2, updated: 0 });
    expect(first.problems.map((p) => p.file)).toEqual(['c.png']);
    const before = { counts: rowCounts(), pairs: listPairs(db, first.dataset.id) };

    const again = await importFolder(db, folder);
    expect(again).toMatchObject({ dataset: first.dataset, pairs: 2, added: 0, updated: 0 });
    expect(rowCounts()).toEqual(before.counts);
    expect(listPairs(db, first.dataset.id)).toEqual(before.pairs);

    writeTree(folder, { 'right/c.png': await imageBytes('png', '#c11'), 'right/b.png': await imageBytes('png', '#b22') });
    const grown = await importFolder(db, folder);
    expect(grown).toMatchObject({ pairs: 3, added: 1, updated: 1, problems: [] });
    const after = listPairs(db, first.dataset.id);
    expect(after.find((p) => p.name === 'a.png')).toEqual(before.pairs.find((p) => p.name === 'a.png'));
    expect(after.find((p) => p.name === 'b.png')!.split).toBe(before.pairs.find((p) => p.name === 'b.png')!.split);
    expect(after.find((p) => p.name === 'b.png')!.right.imageId).not.toBe(before.pairs.find((p) => p.name === 'b.png')!.right.imageId);
    expect(listProblems(db, first.dataset.id)).toEqual([]);
    expect(listDatasets(db)).toHaveLength(1);
  });

  it('splits pairs 80/10/10, even small datasets, and keeps splits as the dataset grows', async () => {
    const files: Record<string, Buffer> = {};
    const img = await imageBytes('png', '#345');
    for (let i = 0; i < 200; i++) {
      // Same bytes on every pair: content-addressed, so the catalog stores one image for all of them.
      files[`left/p${i}.png`] = img;
      files[`right/p${i}.png`] = img;
    }
    writeTree(folder, files);
    const result = await importFolder(db, folder);
    const [d] = listDatasets(db);
    expect(result.pairs).toBe(200);
    expect(rowCounts().images).toBe(1);
    expect(d.splits).toEqual({ train: 160, val: 20, test: 20 });
    const before = new Map(listPairs(db, d.id).map((p) => [p.name, p.split]));
    const more: Record<string, Buffer> = {};
    for (let i = 200; i < 220; i++) more[`left/p${i}.png`] = more[`right/p${i}.png`] = img;
    writeTree(folder, more);
    await importFolder(db, folder);
    const after = listPairs(db, d.id);
    for (const p of after) if (before.has(p.name)) expect(p.split).toBe(before.get(p.name));
    expect(listDatasets(db)[0].splits).toEqual({ train: 176, val: 22, test: 22 });

    const small = path.join(tmp.dir, 'small');
    const files20: Record<string, Buffer> = {};
    for (let i = 0; i < 20; i++) files20[`left/s${i}.png`] = files20[`right/s${i}.png`] = img;
    writeTree(small, files20);
    await importFolder(db, small);
    expect(listDatasets(db).find((x) => x.name === 'small')!.splits).toEqual({ train: 16, val: 2, test: 2 });
  });

  it('says which of left/ and right/ is missing', async () => {
    fs.mkdirSync(path.join(folder, 'left'), { recursive: true });
    await expect(importFolder(db, folder)).rejects.toThrow(/right\/ is missing/);
    await expect(importFolder(db, path.join(tmp.dir, 'nope'))).rejects.toBeInstanceOf(NotPairedFolderError);
    fs.rmSync(path.join(folder, 'left'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'right'), { recursive: true });
    await expect(importFolder(db, folder)).rejects.toThrow(/left\/ is missing/);
    expect(rowCounts()).toEqual({ datasets: 0, images: 0, pairs: 0, problems: 0 });
  });

  it('refuses a second folder under a dataset name already taken', async () => {
    const other = path.join(tmp.dir, 'other');
    for (const f of [folder, other]) writeTree(f, { 'left/x.png': await imageBytes('png', '#f0f'), 'right/x.png': await imageBytes('png', '#f1f') });
    await importFolder(db, folder, { name: 'brands' });
    await expect(importFolder(db, other, { name: 'brands' })).rejects.toBeInstanceOf(DatasetNameTakenError);
    expect(rowCounts().datasets).toBe(1);
  });
});

describe('atomicity', () => {
  async function seeded() {
    writeTree(folder, {
      'left/keep.png': await imageBytes('png', '#123'),
      'right/keep.png': await imageBytes('png', '#124'),
    });
    await importFolder(db, folder);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) {
      files[`left/n${i}.png`] = await imageBytes('png', `#${(i + 2).toString(16)}00`);
      files[`right/n${i}.png`] = await imageBytes('png', `#${(i + 2).toString(16)}11`);
    }
    writeTree(folder, files);
    return { counts: rowCounts(), pairs: listPairs(db, 1) };
  }

  it('an error in the middle of the commit leaves the catalog as it was', async () => {
    const before = await seeded();
    // A trigger that fails the fifth pair insert: the failure happens inside the final transaction.
    db.exec(`CREATE TEMP TRIGGER fail_mid_import AFTER INSERT ON pairs
             WHEN (SELECT COUNT(*) FROM pairs) >= 5 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    await expect(importFolder(db, folder)).rejects.toThrow('injected failure');
    db.exec('DROP TRIGGER fail_mid_import');
    expect(rowCounts()).toEqual(before.counts);
    expect(listPairs(db, 1)).toEqual(before.pairs);
    expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    // Nothing was left half-done: the same import now goes through completely.
    expect(await importFolder(db, folder)).toMatchObject({ pairs: 13, added: 12 });
  });

  it('an error while decoding (here: a progress callback that throws) or a cancel writes nothing', async () => {
    const before = await seeded();
    let calls = 0;
    await expect(
      importFolder(db, folder, {
        onProgress: (p) => {
          if (p.phase === 'decode' && ++calls === 6) throw new Error('boom in the middle');
        },
      }),
    ).rejects.toThrow('boom in the middle');
    expect(rowCounts()).toEqual(before.counts);

    const controller = new AbortController();
    const run = importFolder(db, folder, {
      signal: controller.signal,
      onProgress: (p) => p.phase === 'decode' && p.done === 4 && controller.abort(),
    });
    await expect(run).rejects.toThrow();
    expect(rowCounts()).toEqual(before.counts);
    expect(listPairs(db, 1)).toEqual(before.pairs);
  });
});
