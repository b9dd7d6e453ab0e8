import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../src-main/catalog/open-catalog.ts';
import { createRun, finishRun, recordEpoch } from '../../src-main/catalog/runs.ts';
import type { TrainConfig } from '../../src-shared/training-types.ts';

/** A run as training leaves it — epochs, a checkpoint, catalog vectors, cached features — without training. */
export function fakeRun(db: Db, datasetId: number, opts: { augment?: number; seed?: number; status?: 'done' | 'running' } = {}): number {
  const config = { backbone: 'mobilenetv2', mode: 'head', epochs: 2, seed: opts.seed ?? 7, augment: opts.augment ?? 0, ...pickDefaults() } as TrainConfig;
  const runId = createRun(db, datasetId, config, 'cpu (test)', 'test weights');
  for (const epoch of [1, 2]) {
    recordEpoch(db, runId, { epoch, loss: 1 / epoch, valLoss: null, seconds: 1, val: null }, {
      modelTopology: {},
      weightSpecs: [],
      weightData: Buffer.from([1, 2, 3]),
      optimizerSpecs: null,
      optimizerData: null,
    });
  }
  const images = db
    .prepare(`SELECT i.id, i.sha256 FROM images i WHERE i.id IN (SELECT left_image_id FROM pairs WHERE dataset_id = ? UNION SELECT right_image_id FROM pairs WHERE dataset_id = ?)`)
    .all(datasetId, datasetId) as Array<{ id: number; sha256: string }>;
  for (const img of images) {
    db.prepare('INSERT OR REPLACE INTO embeddings (image_id, embedder, vector) VALUES (?, ?, ?)').run(img.id, `run:${runId}`, Buffer.alloc(8));
    db.prepare('INSERT OR REPLACE INTO feature_cache (sha256, extractor, shape, features) VALUES (?, ?, ?, ?)').run(img.sha256, 'test@1', '[2]', Buffer.alloc(8));
  }
  if (opts.status !== 'running') finishRun(db, runId, 'done');
  return runId;
}

/** A plausible stored configuration: removal reads only `augment` and `seed` from it. */
function pickDefaults() {
  return { batchSize: 8, learningRate: 1e-3, margin: 0.5, mining: 'hard', pooling: 'avg', distance: 'cosine', embeddingSize: 64, inputSize: 96, symmetric: false };
}

/** Writes the look-alike files training with `augment` would have made for every image of a dataset. */
export function fakeLookalikes(db: Db, catalogPath: string, datasetId: number, seed: number, count = 2): string[] {
  const dir = path.join(`${path.resolve(catalogPath)}.d`, 'augment');
  fs.mkdirSync(dir, { recursive: true });
  const shas = db
    .prepare(`SELECT sha256 FROM images WHERE id IN (SELECT left_image_id FROM pairs WHERE dataset_id = ?)`)
    .all(datasetId) as Array<{ sha256: string }>;
  const files: string[] = [];
  for (const { sha256 } of shas) {
    for (let k = 0; k < count; k++) {
      const file = path.join(dir, `${sha256.slice(0, 16)}-${seed}-${k}.jpg`);
      fs.writeFileSync(file, 'jpeg');
      files.push(file);
    }
  }
  return files;
}

/** Every file under `root` with its bytes, for a byte-for-byte comparison. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(root, full)] = fs.readFileSync(full).toString('base64');
    }
  };
  walk(root);
  return out;
}
