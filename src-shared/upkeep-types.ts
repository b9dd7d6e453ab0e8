/** Data types of catalog upkeep (removing and renaming datasets and runs) as they cross to the CLI and the app. */

/**
 * What removing a dataset removes (or, from a preview, would remove). The image files of the dataset's folder are
 * never among them: only the catalog's records of them and what Lookalike generated from them.
 */
export interface DatasetRemoval {
  dataset: { id: number; name: string; root: string };
  pairs: number;
  /** Ids of the runs trained on it, removed with it. */
  runs: number[];
  /** Catalog images removed (their thumbnails, vectors and marks): those no other dataset uses. */
  images: number;
  /** Images another dataset also uses: kept. */
  sharedImagesKept: number;
  /** Saved model checkpoints of its runs. */
  checkpoints: number;
  /** Cached backbone features of the removed images. */
  featureRows: number;
  /** Catalog vectors of the removed images and of its runs. */
  embeddingRows: number;
  /** Synthetic look-alike files Lookalike made from its logos and deleted (0 in a preview). */
  generatedFiles: number;
}

/** What removing a run removes (or would). */
export interface RunRemoval {
  run: { id: number; datasetName: string };
  epochs: number;
  checkpoints: number;
  embeddingRows: number;
  /** Synthetic look-alike files only this run used, deleted (0 in a preview). */
  generatedFiles: number;
}

/** One pair a re-import dropped because its files are gone or no longer usable. */
export interface DroppedPair {
  name: string;
  /** Why, in the user's words: which side's file is gone, or that it can no longer be used. */
  reason: string;
}
