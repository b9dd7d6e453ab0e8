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

/** A run's metrics after training: on its test split, and the match threshold calibrated on val. */
export interface RunMetrics {
  test: RetrievalScores | null;
  val: RetrievalScores | null;
  /** The run's default match threshold: cosine similarity maximising F1 on val (test when val is too small). */
  tau: number | null;
  /** F1 at tau on the split it was calibrated on. */
  tauF1: number | null;
  /** Threshold reaching 90 % precision on that split, null when unreachable. */
  tauPrecision90: number | null;
  /** Which split tau was calibrated on. */
  calibratedOn: 'val' | 'test' | null;
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
  /** score ≥ the run's tau. */
  match: boolean;
  /** The user's mark on this (query, result) couple, if any. */
  feedback: FeedbackVerdict | null;
}

/** The ranked answer to a query. */
export interface QueryResponse {
  runId: number;
  tau: number;
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
