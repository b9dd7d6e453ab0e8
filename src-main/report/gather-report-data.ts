import type { Db } from '../catalog/open-catalog.ts';
import { getThumbnail, pairsWithImages, type StoredPair } from '../catalog/datasets.ts';
import { runMetrics, scorePairedSets, type PairedSetScores } from '../ml/metrics/score-paired-sets.ts';
import { openSetRates, type OpenSetRates } from '../ml/metrics/open-set-calibration.ts';
import { runEmbedder, untrainedEmbedder, type Embedder } from '../model-store/embedder.ts';
import { getRun } from '../catalog/runs.ts';
import { uncalibrated } from '../../src-shared/calibration-policy.ts';
import type { RetrievalScores, RunCalibration } from '../../src-shared/query-types.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';
import { embedderSimilarities, phashSimilarities, type MeasureOptions, type PairSimilarity } from './pair-similarity.ts';
import { pickExamples } from './pick-examples.ts';

/** One column of the report's comparison: the run or a baseline, measured on the run's test pairs. */
export interface ScorerColumn {
  key: 'run' | 'untrained' | 'phash';
  label: string;
  /** Retrieval on the test split; null when it could not be measured (see `error`). */
  test: RetrievalScores | null;
  /** The run's match threshold, or the baseline's own, calibrated the same way (open-set rule on val); null: uncalibrated. */
  tau: number | null;
  /** `uncalibrated` when val had too few pairs; null when the column could not be measured. */
  calibration: RunCalibration['state'] | null;
  /** Open-set false-match and true-match rate of "score ≥ tau" on the test split (measured now); null without tau. */
  openSet: OpenSetRates | null;
  /** Why the column is empty. */
  error: string | null;
}

/** A catalog image shown in the report. */
export interface ReportImage {
  imageId: number;
  pairName: string;
}

/** One test query of the report with its top results among the test split's left images. */
export interface ReportExample {
  query: ReportImage;
  trueRank: number;
  trueScore: number;
  results: ReportResult[];
  /** The true pair's entry (also in `results` when it ranks among them). */
  truePair: ReportResult;
}

/** A ranked gallery image under an example query. */
/** `match` is null when the run is uncalibrated: no badge. */
export type ReportResult = ReportImage & { rank: number; score: number; match: boolean | null; isTrue: boolean };

/** Everything the report page shows, gathered before any HTML is written. */
export interface ReportData {
  run: RunSummary;
  generatedAt: string;
  pairs: { val: number; test: number };
  /** The run's tau as queries use it; null when the run is uncalibrated (no match badges). */
  tau: number | null;
  /** How the run was calibrated, as stored at the end of training. */
  calibration: RunCalibration;
  columns: ScorerColumn[];
  /** Misses first. */
  examples: ReportExample[];
  /** WebP thumbnails of the images the examples show, by image id. */
  thumbnails: Map<number, Buffer>;
  /** Said above the comparison when it is empty or partial (no test pairs, no model yet). */
  notices: string[];
}

/** A step of the report's work, for a progress bar. */
export interface ReportProgress {
  step: string;
  done: number;
  total: number;
}

/** Options of {@link gatherReportData}. */
export interface GatherOptions {
  onProgress?: (p: ReportProgress) => void;
  signal?: AbortSignal;
  /** Example queries to show at most (default 8). */
  examples?: number;
}

const EMPTY_COLUMN = { test: null, tau: null, calibration: null, openSet: null, error: null } as const;

/**
 * Scores a similarity on the val and test pairs and calibrates tau on the val gallery alone (a run also counts its
 * training logos as impostors when it calibrates, openSetScores; a baseline here is not given them).
 */
function measure(val: PairSimilarity | null, test: PairSimilarity, nVal: number, nTest: number) {
  const valScores: PairedSetScores | null = val && nVal ? scorePairedSets(nVal, val) : null;
  const testScores = scorePairedSets(nTest, test);
  return { metrics: runMetrics(valScores, testScores), testScores };
}

function openSetOnTest(tau: number | null, s: PairedSetScores): OpenSetRates | null {
  return tau === null ? null : openSetRates(s.openSet, tau);
}

/**
 * Measures a baseline column; a baseline that cannot be measured here (ResNet50 weights missing, image files
 * moved since the import) becomes a column with its reason instead of failing the whole report.
 */
async function baselineColumn(
  key: 'untrained' | 'phash',
  label: string,
  similarities: () => Promise<PairSimilarity[]>,
  val: StoredPair[],
  test: StoredPair[],
  signal?: AbortSignal,
): Promise<ScorerColumn> {
  try {
    const [valSim, testSim] = await similarities();
    const { metrics, testScores } = measure(valSim, testSim, val.length, test.length);
    return { key, label, test: metrics.test, tau: metrics.tau, calibration: metrics.calibration.state, openSet: openSetOnTest(metrics.tau, testScores), error: null };
  } catch (e) {
    if (signal?.aborted) throw e;
    return { key, label, ...EMPTY_COLUMN, error: (e as Error).message };
  }
}

async function withEmbedder<T>(make: () => Promise<Embedder>, use: (e: Embedder) => Promise<T>): Promise<T> {
  const embedder = await make();
  try {
    return await use(embedder);
  } finally {
    embedder.dispose();
  }
}

/**
 * Gathers a run's report: its stored record, and — measured now, on the dataset's current test pairs — the run's
 * retrieval beside the untrained backbone's and pHash's, plus example queries ranked by the run's model.
 */
export async function gatherReportData(db: Db, runId: number, opts: GatherOptions = {}): Promise<ReportData> {
  const run = getRun(db, runId);
  const val = pairsWithImages(db, { datasetId: run.datasetId, split: 'val' });
  const test = pairsWithImages(db, { datasetId: run.datasetId, split: 'test' });
  const tau = run.metrics?.tau ?? null;
  const calibration = run.metrics?.calibration ?? uncalibrated(null);
  const step = (name: string): MeasureOptions => ({ signal: opts.signal, onProgress: (done, total) => opts.onProgress?.({ step: name, done, total }) });
  const data: ReportData = {
    run,
    generatedAt: new Date().toISOString(),
    pairs: { val: val.length, test: test.length },
    tau,
    calibration,
    columns: [],
    examples: [],
    thumbnails: new Map(),
    notices: [],
  };
  const untrainedLabel = `untrained ${run.config.backbone} (${run.config.features ?? 'final'})`;
  if (!test.length) {
    data.notices.push(`The dataset "${run.datasetName}" has no test pairs, so there is nothing to measure the run on.`);
    data.columns = [
      { key: 'run', label: `run ${run.id}`, ...EMPTY_COLUMN },
      { key: 'untrained', label: untrainedLabel, ...EMPTY_COLUMN },
      { key: 'phash', label: 'pHash', ...EMPTY_COLUMN },
    ];
    return data;
  }

  let runColumn: ScorerColumn;
  try {
    // The run's tau is the one it was calibrated with (and queries use), so only the test pairs are needed.
    const [testSim] = await withEmbedder(() => runEmbedder(db, run.id), (e) => embedderSimilarities(e, [test], step('run model')));
    const testScores = scorePairedSets(test.length, testSim);
    runColumn = { key: 'run', label: `run ${run.id}`, test: testScores.scores, tau, calibration: calibration.state, openSet: openSetOnTest(tau, testScores), error: null };
    const picked = pickExamples(test.length, testSim, tau, { max: opts.examples ?? 8 });
    const image = (pair: StoredPair, side: 'left' | 'right'): ReportImage => ({ imageId: pair[side].imageId, pairName: pair.name });
    const result = (r: (typeof picked)[number]['truePair']): ReportResult => ({ ...image(test[r.gallery], 'left'), rank: r.rank, score: r.score, match: r.match, isTrue: r.isTrue });
    data.examples = picked.map((e) => ({
      query: image(test[e.query], 'right'),
      trueRank: e.trueRank,
      trueScore: e.trueScore,
      results: e.results.map(result),
      truePair: result(e.truePair),
    }));
  } catch (e) {
    if (opts.signal?.aborted || (e as { code?: string }).code !== 'NO_CHECKPOINT') throw e;
    data.notices.push(`Run ${run.id} has no finished epoch yet, so there is no model to measure; only the baselines are shown.`);
    runColumn = { key: 'run', label: `run ${run.id}`, ...EMPTY_COLUMN, error: (e as Error).message };
  }
  const untrained = await baselineColumn(
    'untrained',
    untrainedLabel,
    () => withEmbedder(() => untrainedEmbedder(db, run.config.backbone, {}, run.config.features ?? 'final'), (e) => embedderSimilarities(e, [val, test], step('untrained baseline'))),
    val,
    test,
    opts.signal,
  );
  const phashColumn = await baselineColumn('phash', 'pHash', () => phashSimilarities([val, test], step('pHash baseline')), val, test, opts.signal);
  data.columns = [runColumn, untrained, phashColumn];

  const ids = [...new Set(data.examples.flatMap((e) => [e.query.imageId, e.truePair.imageId, ...e.results.map((r) => r.imageId)]))];
  ids.forEach((id, i) => {
    const thumb = getThumbnail(db, id);
    if (thumb) data.thumbnails.set(id, thumb);
    opts.onProgress?.({ step: 'thumbnails', done: i + 1, total: ids.length });
  });
  return data;
}
