/** Data types of training runs as they cross from the trainer to the CLI, the app and the browser. */
import type { RunMetrics } from './query-types.ts';
import type { AugmentStyle, BackboneId, Distance, FeatureRecipeId, HeadKind, MiningStrategy, Pooling, TrainMode } from './train-options.ts';

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** Every hyperparameter of a run; what is stored with it and shown next to its results. Choices, defaults and bounds: train-options.ts. */
export interface TrainConfig {
  backbone: BackboneId;
  mode: TrainMode;
  epochs: number;
  /** Early stopping on val R@1 (train-options.ts `patience`); absent on older runs (= 0, off). */
  patience?: number;
  batchSize: number;
  learningRate: number;
  margin: number;
  mining: MiningStrategy;
  pooling: Pooling;
  /** The embedding head (train-options.ts `head`); absent on runs made before it existed (= `mlp`). */
  head?: HeadKind;
  /** The backbone's feature recipe (train-options.ts `features`); absent on runs made before recipes (= `final`). */
  features?: FeatureRecipeId;
  distance: Distance;
  seed: number;
  embeddingSize: number;
  /** Square input side fed to the backbone. */
  inputSize: number;
  /**
   * Also train each pair the other way round (anchor = right, positive = left, negatives = other lefts): the
   * direction of the real task, a look-alike searched among logos. The notebook trained left → right only.
   * Absent on runs made before the option existed (= false).
   */
  symmetric?: boolean;
  /**
   * Synthetic look-alikes made per training logo (recoloured, rotated, blurred, JPEG-compressed), each an extra
   * training pair with its logo. 0 = only the dataset's own pairs. Absent on older runs (= 0).
   */
  augment?: number;
  /** How the look-alikes are made (train-options.ts `augmentStyle`); absent on older runs (= classic). */
  augmentStyle?: AugmentStyle;
}

/** What a user may leave out: the trainer fills in defaults (some depend on the backend). */
export type TrainRequest = Partial<TrainConfig>;

/** One finished epoch. */
export interface EpochRow {
  epoch: number;
  loss: number;
  valLoss: number | null;
  seconds: number;
  /** Retrieval on the val split after this epoch (right → left), when val has pairs. */
  val?: { recall1: number; recall5: number; mrr: number } | null;
}

/** A run as listed. `interrupted` marks a `running` run whose owner stopped renewing its lease (resume it). */
export interface RunSummary {
  id: number;
  datasetId: number;
  datasetName: string;
  /** The name the user gave the run (`runs:rename`); null until then (the run is shown as "#id"). Absent from producers that predate names. */
  name?: string | null;
  status: RunStatus;
  interrupted: boolean;
  config: TrainConfig;
  /** e.g. "wasm (cpu)". */
  backend: string;
  /** Where the backbone's weights came from. */
  weightsSource: string;
  epochsDone: number;
  /**
   * The epoch whose weights are the run's model (what queries, eval and export use): the last one, or with early
   * stopping the best on val R@1. Null before the first epoch; absent where a producer does not know it.
   */
  modelEpoch?: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  epochs: EpochRow[];
  /** Test/val retrieval and the calibrated threshold, once the run is done (null before). */
  metrics: RunMetrics | null;
}

/** Progress of a training job, at least once a second. */
export type TrainProgress =
  | { phase: 'prepare'; message: string }
  | { phase: 'features'; done: number; total: number }
  | { phase: 'train'; epoch: number; epochs: number; batch: number; batches: number; loss: number; etaSeconds: number };
