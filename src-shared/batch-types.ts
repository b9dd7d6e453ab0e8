/** Data types of a batch query (many images against the catalog at once) as they cross to the CLI and the app. */
import type { ProblemCode, Side } from './catalog-types.ts';
import type { QueryHit } from './query-types.ts';

/** What a batch reads: a file or a folder on the machine that runs the query, or an uploaded file's bytes. */
export type BatchInput = { path: string } | { bytesBase64: string; name: string };

/** A batch query: every image of `inputs` (folders: the files directly in them) against the catalog. */
export interface BatchQueryRequest {
  inputs: BatchInput[];
  /** The run whose model embeds; default: the newest finished run. */
  runId?: number;
  /** Only images of this dataset. */
  datasetId?: number;
  side?: Side;
  /** Best matches kept per query image (default 5). */
  top?: number;
}

/** One query image's answer. */
export interface BatchItem {
  /** The file as the user named it: its path, or an uploaded file's name. */
  file: string;
  sha256: string;
  /** A small WebP of the query image, as a data: URL (it may not be in the catalog, nor on this machine). */
  thumbnail: string;
  hits: QueryHit[];
  /** The best hit's score, null when the catalog had nothing to compare. */
  bestScore: number | null;
  /** The best hit is a match (score ≥ tau). */
  match: boolean;
  /** When the query image is itself a catalog image: where. */
  queryPair: { datasetName: string; pairName: string; side: Side } | null;
}

/** A file of the batch that could not be queried, with the importer's code and reason. */
export interface BatchUnusable {
  file: string;
  code: ProblemCode | 'NOT_FOUND' | 'QUERY_IMAGE_UNUSABLE';
  reason: string;
}

/** A finished batch. */
export interface BatchResult {
  /** The run that answered; null when no file could be queried. */
  runId: number | null;
  tau: number | null;
  /** In the order the files were read. */
  items: BatchItem[];
  unusable: BatchUnusable[];
}

/** Progress of a batch: files done of files found; `current` is the file being queried. */
export interface BatchProgress {
  done: number;
  total: number;
  current?: string;
}

/** The formats a finished batch exports to. */
export const BATCH_EXPORT_FORMATS = ['csv', 'html'] as const;
export type BatchExportFormat = (typeof BATCH_EXPORT_FORMATS)[number];
