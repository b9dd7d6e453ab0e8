/** Data types of query, evaluation and feedback as they cross from the services to the CLI, the app and the browser. */
import type { Side } from './catalog-types.ts';

/** Retrieval quality of an embedder on a set of pairs: queries = right images, gallery = left images. */
export interface RetrievalScores {
  queries: number;
  gallery: number;
  /** Fraction of queries whose true pair is in the top k. */
  recall: { '1': number; '5': number; '10': number };
  /** Mean reciprocal rank of the true pair. */
  mrr: number;
  /** ROC AUC of pair verification (true pairs vs. as many non-pairs); null with fewer than 2 queries. */
  rocAuc: number | null;
}

/**
 * How a run's match threshold tau came about, and how it holds when the true match is not in the catalog.
 * The app shows match badges, and the CLI a match column, only when `state` is `calibrated` (or the user gives a
 * threshold). See src-shared/calibration-policy.ts for the rule and its constants.
 */
export interface RunCalibration {
  /** `uncalibrated`: too few val pairs (or an old run that did not record enough) — the run has no tau. */
  state: 'calibrated' | 'uncalibrated';
  /** Val pairs the run had to calibrate on; null for an old run that did not store it. */
  valPairs: number | null;
  /** Fewest val pairs calibration needs (MIN_CALIBRATION_PAIRS). */
  minValPairs: number;
  /** The open-set false-match rate tau was chosen to stay under on val (TARGET_FALSE_MATCH_RATE). */
  targetFalseMatchRate: number;
  /**
   * `open-set`: the lowest tau keeping val's false-match rate ≤ the target (the true-match rate is then the
   * highest it can be). `max-f1`: a run trained before open-set calibration (tau maximised pair F1 on val).
   * null when uncalibrated.
   */
  rule: 'open-set' | 'max-f1' | null;
  /**
   * On the TEST split at tau: the share of test queries that, with their true match taken out of the gallery,
   * still score ≥ tau against some other image (a false "match" for an unknown brand). null when uncalibrated,
   * without test pairs, or for an old run.
   */
  falseMatchRate: number | null;
  /** On the TEST split at tau: the share of test queries whose true match ranks first and scores ≥ tau. */
  trueMatchRate: number | null;
  /** The same two rates on val, where tau was chosen (null as above). */
  valFalseMatchRate: number | null;
  valTrueMatchRate: number | null;
}

/** A run's metrics after training: retrieval on its val and test splits, and its calibrated match threshold. */
export interface RunMetrics {
  test: RetrievalScores | null;
  val: RetrievalScores | null;
  /** The run's match threshold (cosine similarity, match = score ≥ tau); null when uncalibrated. */
  tau: number | null;
  calibration: RunCalibration;
}

/** The image a query is about: a file path (CLI, desktop app) or its bytes (browser upload). */
export type QueryImage = { path: string } | { bytesBase64: string; name: string };

/** A query: one image against the catalog. */
export interface QueryRequest {
  image: QueryImage;
  /** The run whose model embeds; default: the newest finished run. */
  runId?: number;
  /** Only images of this dataset. */
  datasetId?: number;
  /** Only left or right images. */
  side?: Side;
  /** How many results (default 10). */
  top?: number;
  /** A match threshold chosen by the user; overrides the run's (and gives an uncalibrated run verdicts). */
  tau?: number;
}

/** One ranked catalog image. */
export interface QueryHit {
  rank: number;
  imageId: number;
  datasetId: number;
  datasetName: string;
  pairName: string;
  side: Side;
  path: string;
  /** Cosine similarity of the embeddings, in [-1, 1]. */
  score: number;
  /** score ≥ tau; null when there is no threshold (an uncalibrated run and no user tau): no verdict. */
  match: boolean | null;
  /** The user's mark on this (query, result) couple, if any. */
  feedback: FeedbackVerdict | null;
}

/** The ranked answer to a query. */
export interface QueryResponse {
  runId: number;
  /** The threshold the hits were judged by; null: none (uncalibrated run, no user tau). */
  tau: number | null;
  /** Where tau came from: the run's calibration, the request's `tau`, or nowhere. */
  tauSource: 'run' | 'user' | null;
  /** The run's calibration, so a client can say why there is no verdict. */
  calibration: RunCalibration;
  /** SHA-256 of the query image: feedback refers to it. */
  querySha256: string;
  /** When the query image is itself in the catalog: its pair, so the UI can show "its own pair ranked N". */
  queryPair: { datasetName: string; pairName: string; side: Side } | null;
  hits: QueryHit[];
  /** How many catalog images were compared. */
  searched: number;
}

export type FeedbackVerdict = 'match' | 'not-a-match';

/** A user's mark on a query result; the next training run of that dataset uses it. */
export interface FeedbackMark {
  querySha256: string;
  resultImageId: number;
  verdict: FeedbackVerdict;
  /** The run whose answer was marked (for the record). */
  runId?: number;
}
