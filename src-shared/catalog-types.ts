/** Data types of the catalog as they cross from the services to the CLI, the app and the browser. */
import type { DroppedPair } from './upkeep-types.ts';


export type Side = 'left' | 'right';
export type Split = 'train' | 'val' | 'test';

/** A dataset as listed to the user. */
export interface DatasetSummary {
  id: number;
  name: string;
  /** The folder it was imported from. */
  root: string;
  pairs: number;
  /** Files the last import could not use. */
  problems: number;
  splits: Record<Split, number>;
  importedAt: string;
}

/** One side of a pair. */
export interface PairImage {
  imageId: number;
  path: string;
  width: number;
  height: number;
  format: string;
}

/** One pair: two catalog images that belong together. */
export interface PairRow {
  id: number;
  name: string;
  split: Split;
  left: PairImage;
  right: PairImage;
}

/** Why a file was not used. Codes are stable (the UI and scripts act on them); reasons are for people. */
export type ProblemCode =
  | 'ONE_SIDE_ONLY'
  | 'AMBIGUOUS_NAME'
  | 'PARTNER_UNUSABLE'
  | 'EMPTY_FILE'
  | 'FILE_TOO_LARGE'
  | 'CORRUPT_IMAGE'
  | 'NOT_AN_IMAGE'
  | 'TOO_MANY_PIXELS'
  | 'UNSUPPORTED_TYPE'
  | 'DIRECTORY'
  | 'DANGLING_SYMLINK'
  | 'SYMLINK_LOOP'
  | 'HIDDEN_FILE'
  | 'NOT_REGULAR_FILE'
  | 'UNREADABLE';

/** One file an import could not use. `file` is its name inside `left/` or `right/`. */
export interface ImportProblem {
  side: Side;
  file: string;
  code: ProblemCode;
  reason: string;
}

/** Progress of an import; `current` is the file being worked on, as `left/NAME`. */
export interface ImportProgress {
  phase: 'scan' | 'decode' | 'commit';
  done: number;
  total: number;
  current?: string;
}

/** What an import did. */
export interface ImportResult {
  dataset: { id: number; name: string };
  /** Pairs in the dataset after the import. */
  pairs: number;
  /** Pairs this import added. */
  added: number;
  /** Pairs whose image content changed since the last import. */
  updated: number;
  /** Pairs of an earlier import whose files are gone or no longer usable: removed from the dataset. */
  dropped: DroppedPair[];
  problems: ImportProblem[];
}

/** A problem as listed for a dataset (the same fields as at import time). */
export type ProblemRow = ImportProblem;
