/** Data types of the run page's jobs — a held-out evaluation, the HTML report, the export — as they cross to the app. */
import type { ImportProblem } from './catalog-types.ts';
import type { RetrievalScores } from './query-types.ts';

/** What a run-page job does. */
export type RunTask =
  | { kind: 'evaluate'; runId: number; folder: string }
  | { kind: 'report'; runId: number; outDir?: string }
  | { kind: 'export'; runId: number; outDir?: string };

/** One column of a held-out evaluation: the run, or a baseline measured beside it on the same folder. */
export interface EvalColumn {
  label: string;
  scores: RetrievalScores;
  /** The run's calibrated tau (a baseline: the best threshold on this folder). */
  tau: number | null;
  f1AtTau: number | null;
  /**
   * Open-set rates on this folder (each query also scored against the gallery without its true match): the
   * run's at its calibrated tau (rates null when it is uncalibrated); a baseline's at the tau tuned on this folder
   * for the target false-match rate (`tunedOnFolder`: a best case to compare by, not a calibration).
   */
  openSet?: { tau: number | null; falseMatchRate: number | null; trueMatchRate: number | null; tunedOnFolder: boolean };
}

/** What a finished run-page job made. */
export type RunTaskResult =
  | { kind: 'evaluate'; runId: number; folder: string; columns: EvalColumn[]; problems: ImportProblem[] }
  | { kind: 'report'; runId: number; file: string; bytes: number }
  | { kind: 'export'; runId: number; dir: string; files: number };

/** Progress of a run-page job: the step (e.g. "pHash"), done of total. */
export interface RunTaskProgress {
  step: string;
  done: number;
  total: number;
}
