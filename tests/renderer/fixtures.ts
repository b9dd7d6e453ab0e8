import type { DatasetSummary, PairRow } from '../../src-shared/catalog-types.ts';
import type { QueryResponse } from '../../src-shared/query-types.ts';
import type { EpochRow, RunSummary } from '../../src-shared/training-types.ts';

export const epochRow = (epoch: number, loss = 1 / epoch): EpochRow => ({
  epoch,
  loss,
  valLoss: loss * 1.1,
  seconds: 2,
  val: { recall1: Math.min(1, epoch / 10), recall5: 1, mrr: 0.5 },
});

export const runSummary = (id: number, over: Partial<RunSummary> = {}): RunSummary => ({
  id,
  datasetId: 1,
  datasetName: 'sample',
  status: 'done',
  interrupted: false,
  config: {
    backbone: 'mobilenetv2', mode: 'head', epochs: 2, batchSize: 8, learningRate: 1e-4, margin: 0.5,
    mining: 'semihard', pooling: 'flatten', distance: 'l1', seed: 42, embeddingSize: 256, inputSize: 224,
  },
  backend: 'wasm (cpu)',
  weightsSource: 'nsfwjs',
  epochsDone: 2,
  error: null,
  createdAt: '2024-05-01T10:00:00.000Z',
  finishedAt: '2024-05-01T10:01:00.000Z',
  epochs: [epochRow(1), epochRow(2)],
  metrics: null,
  ...over,
});

export const dataset = (id: number, name = `set${id}`): DatasetSummary => ({
  id, name, root: `/data/${name}`, pairs: 3, problems: 1, splits: { train: 2, val: 1, test: 0 }, importedAt: '2024-05-01T10:00:00.000Z',
});

export const pairRow = (id: number): PairRow => ({
  id,
  name: `pair${id}.png`,
  split: 'train',
  left: { imageId: id * 2, path: `left/pair${id}.png`, width: 64, height: 64, format: 'png' },
  right: { imageId: id * 2 + 1, path: `right/pair${id}.png`, width: 64, height: 64, format: 'png' },
});

/** A response with hits scoring 0.9, 0.7, 0.5, 0.3 and tau 0.6. */
export const queryResponse = (): QueryResponse => ({
  runId: 7,
  tau: 0.6,
  tauSource: 'run',
  calibration: { state: 'calibrated', valPairs: 40, minValPairs: 20, targetFalseMatchRate: 0.05, rule: 'open-set', falseMatchRate: 0.05, trueMatchRate: 0.8, valFalseMatchRate: 0.05, valTrueMatchRate: 0.85 },
  querySha256: 'abc123',
  queryPair: { datasetName: 'sample', pairName: 'pair1.png', side: 'right' },
  searched: 120,
  hits: [0.9, 0.7, 0.5, 0.3].map((score, i) => ({
    rank: i + 1, imageId: 100 + i, datasetId: 1, datasetName: 'sample', pairName: `pair${i + 1}.png`, side: 'left' as const,
    path: `left/pair${i + 1}.png`, score, match: score >= 0.6, feedback: i === 3 ? ('not-a-match' as const) : null,
  })),
});
