import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { registerBackbone } from '../../src-main/ml/backbones/registry.ts';
import { runEmbedder } from '../../src-main/model-store/embedder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { exportRun } from '../../src-main/export/export-run.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { TINYNET } from '../ml/fixtures/tiny-backbone.ts';

/**
 * docs/adding-a-backbone.md's promise, kept: a backbone defined in one file (tests/ml/fixtures/tiny-backbone.ts)
 * and registered trains in both modes, embeds, and exports with a preprocessing.json that reproduces its vectors,
 * with no other file knowing about it.
 */
let tmp: ReturnType<typeof tempDir>;
let db: Db;
let unregister: () => void;

beforeAll(async () => {
  unregister = registerBackbone(TINYNET);
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 12), { name: 'tiny' });
});
afterAll(() => {
  unregister();
  db.close();
  tmp.cleanup();
});

describe('a backbone registered from one file', () => {
  it.each(['head', 'finetune'] as const)('trains in %s mode, embeds the catalog and exports what it embeds', async (mode) => {
    const run = await trainNewRun(db, 'tiny', { backbone: TINYNET.id, mode, epochs: 2, batchSize: 4, augment: 0, embeddingSize: 8 });
    expect(run.status).toBe('done');
    expect(run.config).toMatchObject({ backbone: 'tinynet', mode, inputSize: TINYNET.inputSize });
    expect(run.weightsSource).toBe('random (seeded)');
    expect(run.epochs).toHaveLength(2);

    const embedder = await runEmbedder(db, run.id);
    try {
      const refs = db.prepare('SELECT sha256, path FROM images ORDER BY id LIMIT 3').all() as { sha256: string; path: string }[];
      const vectors = await embedder.embed(refs);
      expect(vectors).toHaveLength(3 * 8);
      const norm = Math.hypot(...vectors.subarray(0, 8));
      expect(norm).toBeCloseTo(1, 4);
    } finally {
      embedder.dispose();
    }

    // The export embeds two images with preprocessing.json's normalisation and compares with the catalog's
    // vectors: it throws EXPORT_MISMATCH unless the documented preprocessing is the one the run used.
    const out = path.join(tmp.dir, `export-${mode}`);
    const summary = await exportRun(db, run.id, out);
    expect(summary.dim).toBe(8);
    const spec = JSON.parse(fs.readFileSync(path.join(out, 'model', 'preprocessing.json'), 'utf8'));
    expect(spec).toMatchObject({ backbone: 'tinynet', inputShape: [null, 32, 32, 3], normalisation: { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] } });
  });
});
