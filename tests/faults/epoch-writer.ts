/**
 * A child process that writes a training run's epochs the way a training run does (recordEpoch: the epoch row,
 * a multi-megabyte checkpoint and the run row in one IMMEDIATE transaction), back to back, until its stdin
 * closes; then prints how many epochs it wrote. The fault suite runs CLI imports against it.
 *
 *   node --import tsx tests/faults/epoch-writer.ts CATALOG
 */
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { createRun, recordEpoch } from '../../src-main/catalog/runs.ts';
import type { TrainConfig } from '../../src-shared/training-types.ts';

const db = openCatalog(process.argv[2]);
const datasetId = Number(
  db.prepare("INSERT INTO datasets (name, root, created_at, imported_at) VALUES ('writer-' || hex(randomblob(4)), '/writer', 'x', 'x')").run().lastInsertRowid,
);
const runId = createRun(db, datasetId, {} as TrainConfig, 'cpu', 'test');
// About the size of a small head's weights plus Adam's two moments.
const weights = Buffer.alloc(6 * 1024 * 1024, 7);
let stop = false;
process.stdin.on('end', () => (stop = true)).resume();
let epoch = 0;
process.stdout.write('ready\n');
while (!stop) {
  recordEpoch(db, runId, { epoch: ++epoch, loss: 1, valLoss: null, seconds: 0, val: null }, { modelTopology: {}, weightSpecs: [], weightData: weights, optimizerSpecs: null, optimizerData: weights });
  await new Promise((r) => setImmediate(r));
}
db.close();
process.stdout.write(`epochs ${epoch}\n`);
