/**
 * Every training option, once: its choices or bounds, its default, its CLI flag and its help sentence. The CLI's
 * flags and --help, the trainer's config resolution, the app's form and the report's configuration table are all
 * derived from this file, so an option added here reaches each of them (and the compiler points at what is left).
 */

/** The feature extractors Lookalike trains on; each has an entry in src-main/ml/backbones/registry.ts. */
export const BACKBONE_IDS = ['resnet50', 'mobilenetv2'] as const;
export type BackboneId = (typeof BACKBONE_IDS)[number];

export const TRAIN_MODES = ['head', 'partial', 'finetune'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];

export const MINING_STRATEGIES = ['random', 'semihard', 'hard'] as const;
export type MiningStrategy = (typeof MINING_STRATEGIES)[number];

export const POOLINGS = ['flatten', 'avg'] as const;
export type Pooling = (typeof POOLINGS)[number];

/** How synthetic look-alikes are made (src-main/model-store/augment.ts). */
export const AUGMENT_STYLES = ['classic', 'realistic'] as const;
export type AugmentStyle = (typeof AUGMENT_STYLES)[number];

/**
 * The embedding head: `whitened` = learned whitening fitted on the training pairs in closed form, then fine-tuned
 * by the triplet epochs (src-main/ml/learned-whitening.ts); `mlp` = the original notebook's Dense 512 → BN →
 * Dense 256 → BN → Dense, trained from random weights.
 */
export const HEAD_KINDS = ['whitened', 'mlp'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

export const DISTANCES = ['l1', 'l2sq', 'cosine'] as const;
export type Distance = (typeof DISTANCES)[number];

/**
 * Named feature recipes: which layer(s) of the backbone, how they are pooled, at what input size and with which
 * colour handling (src-main/ml/backbones/*.ts holds each backbone's; not every backbone has every recipe).
 * `final` is the backbone's own final feature, colour, as before recipes existed.
 */
export const FEATURE_RECIPE_IDS = ['final', 'mid-multi-gem-polarity', 'mid-gem-polarity', 'mid-multi-gem-grey', 'mid-multi-gem-colour', 'late-max-grey'] as const;
export type FeatureRecipeId = (typeof FEATURE_RECIPE_IDS)[number];

/**
 * The recipe a run of each backbone uses when it asks for none: the measured best (bench:quality,
 * docs/training-heads.md; MobileNetV2's blocks 9–13 GeM on polarity-normalised grey). ResNet50's weights are not on
 * the machines that measure, so it keeps its own final feature. Here rather than on the backbone's registry entry so
 * that the app's form and the handlers know it without loading tfjs.
 */
export const MEASURED_BEST_RECIPE: Record<BackboneId, FeatureRecipeId> = { resnet50: 'final', mobilenetv2: 'mid-multi-gem-polarity' };

/** {@link MEASURED_BEST_RECIPE} of any backbone id (a test's registered backbone has none: `final`). */
export function measuredBestRecipe(backbone: string): FeatureRecipeId {
  return (MEASURED_BEST_RECIPE as Record<string, FeatureRecipeId | undefined>)[backbone] ?? 'final';
}

/** How a recipe pools a feature map: mean, maximum, or generalised mean (GeM) with exponent p. */
export const RECIPE_POOLINGS = ['avg', 'max', 'gem'] as const;
export type RecipePooling = (typeof RECIPE_POOLINGS)[number];

/** What a recipe does with colour before the backbone (src-main/ml/colour-handling.ts). */
export const COLOUR_HANDLINGS = ['colour', 'grey', 'polarity'] as const;
export type ColourHandling = (typeof COLOUR_HANDLINGS)[number];

interface OptionBase {
  /** The `lookalike train` flag, without its dashes. */
  flag: string;
  /** How the app's form and the report name it. */
  label: string;
  /** One sentence for --help and the form. */
  help: string;
}

/** One of a fixed list; `default: null` means the trainer decides (see `auto`). */
export interface ChoiceOption<T extends string = string> extends OptionBase {
  kind: 'choice';
  choices: readonly T[];
  default: T | null;
  /** What the trainer picks when the user leaves it out and `default` is null. */
  auto?: string;
}

/** A number within bounds. `default: null`: it depends on something else (see `auto`). */
export interface NumberOption extends OptionBase {
  kind: 'number';
  /** The word --help shows after the flag. */
  metavar: 'N' | 'X';
  default: number | null;
  auto?: string;
  integer: boolean;
  min: number;
  max: number;
  /** True when `min` itself is not allowed (a learning rate of 0 learns nothing). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** A switch: present = true. */
export interface BooleanOption extends OptionBase {
  kind: 'boolean';
  default: boolean;
}

export type TrainOption = ChoiceOption | NumberOption | BooleanOption;

/** Batch sizes when the user gives none: head mode trains on cached features, finetune mode pushes images through the backbone. */
// Partial mode keeps every suffix activation of a batch for the backward pass: with blocks 9–16 of MobileNetV2 at
// 224 px, 32 pairs (64 images) overflow the WebAssembly backend's heap ("memory access out of bounds"); 16 fit.
export const DEFAULT_BATCH_SIZE: Record<TrainMode, number> = { head: 32, partial: 16, finetune: 16 };

/**
 * Where the defaults differ from the original notebook (lr 1e-4, L1, random negatives, 20 epochs) it is on
 * evidence: MobileNetV2 head-mode runs on the sample, measured on 30 held-out brands, 3 seeds (README, "Choosing
 * the defaults"; docs/defaults-grid-*.md). The upper bounds are far beyond any useful run and only stop typos
 * (`--epochs 1e9` would train for weeks).
 */
export const TRAIN_OPTIONS = {
  backbone: {
    kind: 'choice', flag: 'backbone', label: 'Backbone', choices: BACKBONE_IDS, default: null,
    auto: 'resnet50 when its weights are found, else mobilenetv2 with a notice',
    help: 'The pretrained feature extractor: resnet50 (the original; needs Keras’s ImageNet weights) or mobilenetv2 (offline, ships with the app).',
  },
  mode: {
    kind: 'choice', flag: 'mode', label: 'Mode', choices: TRAIN_MODES, default: null, auto: 'head on CPU, finetune on GPU',
    help: 'head: backbone frozen, features cached, only the head trains; partial: the activations before the freeze point are cached once per image and the blocks after it train with the head (finetune’s model at a CPU’s cost); finetune: the same layers train, but every step runs the whole backbone on pixels.',
  },
  epochs: {
    kind: 'number', flag: 'epochs', label: 'Epochs', metavar: 'N', default: 30, integer: true, min: 1, max: 1000,
    help: 'Total epochs of the run (the notebook: 20).',
  },
  patience: {
    kind: 'number', flag: 'patience', label: 'Early-stopping patience (epochs)', metavar: 'N', default: 0, integer: true, min: 0, max: 1000,
    help: 'Stop when val Recall@1 has not improved for N epochs and keep the best epoch’s weights as the run’s model; 0 trains every epoch and keeps the last.',
  },
  batchSize: {
    kind: 'number', flag: 'batch-size', label: 'Batch size', metavar: 'N', default: null, integer: true, min: 2, max: 1024,
    auto: `${DEFAULT_BATCH_SIZE.head} in head mode, ${DEFAULT_BATCH_SIZE.partial} in partial and finetune mode`,
    help: 'Pairs per batch; every other pair of the batch is a candidate negative.',
  },
  learningRate: {
    kind: 'number', flag: 'lr', label: 'Learning rate (Adam)', metavar: 'X', default: 1e-3, integer: false, min: 0, minExclusive: true, max: 1, maxExclusive: true,
    help: 'Adam’s learning rate (the notebook: 1e-4).',
  },
  margin: {
    kind: 'number', flag: 'margin', label: 'Triplet margin', metavar: 'X', default: 0.5, integer: false, min: 0, minExclusive: true, max: 10,
    help: 'How much closer the positive must be than the negative before a triplet stops teaching.',
  },
  mining: {
    kind: 'choice', flag: 'mining', label: 'Negative mining', choices: MINING_STRATEGIES, default: 'hard',
    help: 'How negatives are picked: random (the notebook), semihard, or hard (the closest in the batch).',
  },
  head: {
    kind: 'choice', flag: 'head', label: 'Head', choices: HEAD_KINDS, default: 'whitened',
    help: 'whitened: a linear projection fitted in closed form on the training pairs (learned whitening), then fine-tuned by the epochs; mlp: the original notebook’s Dense 512 → 256 → 256 head from random weights.',
  },
  features: {
    kind: 'choice', flag: 'features', label: 'Feature recipe', choices: FEATURE_RECIPE_IDS, default: null,
    auto: 'the backbone’s measured best: mid-multi-gem-polarity for mobilenetv2, final for resnet50',
    help: 'Which backbone features the head learns on: final (the backbone’s own last feature) or a recipe of its registry entry (layers, pooling, input size, colour handling; docs/feature-recipes.md).',
  },
  pooling: {
    kind: 'choice', flag: 'pooling', label: 'Pooling', choices: POOLINGS, default: 'flatten',
    help: 'flatten (the notebook) or avg, for backbones whose features are a map (resnet50).',
  },
  distance: {
    kind: 'choice', flag: 'distance', label: 'Distance', choices: DISTANCES, default: 'cosine',
    help: 'The triplet loss’s distance: l1 (the notebook), l2sq or cosine.',
  },
  seed: {
    kind: 'number', flag: 'seed', label: 'Seed', metavar: 'N', default: 42, integer: true, min: 0, max: 4294967295,
    help: 'Seed of the head’s initial weights, the batches and the mining.',
  },
  embeddingSize: {
    kind: 'number', flag: 'embedding-size', label: 'Embedding size', metavar: 'N', default: 256, integer: true, min: 1, max: 4096,
    help: 'Length of the embedding the head outputs.',
  },
  inputSize: {
    kind: 'number', flag: 'input-size', label: 'Input size (px)', metavar: 'N', default: null, integer: true, min: 32, max: 1024,
    auto: 'the backbone’s own (its registry entry)',
    help: 'Side of the square each image is resized to before the backbone.',
  },
  symmetric: {
    kind: 'boolean', flag: 'symmetric', label: 'Symmetric pairs', default: false,
    help: 'Also train each pair reversed (anchor = right, negatives = other lefts), the direction of a query: a look-alike searched among logos.',
  },
  augment: {
    kind: 'number', flag: 'augment', label: 'Synthetic look-alikes per logo', metavar: 'N', default: 2, integer: true, min: 0, max: 16,
    help: 'Synthetic look-alikes made per training logo (recoloured, rotated, blurred, JPEG), each an extra pair; made once beside the catalog.',
  },
  augmentStyle: {
    kind: 'choice', flag: 'augment-style', label: 'Look-alike style', choices: AUGMENT_STYLES, default: 'classic',
    help: 'classic: recoloured, rotated, blurred, JPEG; realistic: a few of a flat monochrome glyph, inversion, outline, crop/padding, small perspective, background clutter, added text, blur, JPEG.',
  },
} as const satisfies Record<string, TrainOption>;

export type TrainOptionKey = keyof typeof TRAIN_OPTIONS;

/** The registry's keys in the order the CLI, the form and the report list them. */
export const TRAIN_OPTION_KEYS = Object.keys(TRAIN_OPTIONS) as TrainOptionKey[];


/**
 * Why `value` is not allowed for option `key`, naming its flag (`--epochs must be at most 1000, not 1000000000`),
 * or null when it is fine. Used where values enter: the CLI's flags and the trainer's config.
 */
export function optionProblem(key: TrainOptionKey, value: unknown): string | null {
  const option: TrainOption = TRAIN_OPTIONS[key];
  const flag = `--${option.flag}`;
  if (option.kind === 'boolean') return typeof value === 'boolean' ? null : `${flag} is a switch (true or false), not ${JSON.stringify(value)}`;
  if (option.kind === 'choice') {
    return typeof value === 'string' && option.choices.includes(value) ? null : `${flag} must be one of ${option.choices.join(', ')}, not "${String(value)}"`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${flag} must be a number, not ${JSON.stringify(value)}`;
  if (option.integer && !Number.isInteger(value)) return `${flag} must be a whole number ≥ ${option.min}, not ${value}`;
  const tooLow = option.minExclusive ? value <= option.min : value < option.min;
  const tooHigh = option.maxExclusive ? value >= option.max : value > option.max;
  if (tooLow || tooHigh) return `${flag} must be ${describeRange(option)}, not ${value}`;
  return null;
}

/** "from 1 to 1000", "above 0 and below 1", "at most 16": the bounds in words. */
export function describeRange(option: NumberOption): string {
  const low = option.minExclusive ? `above ${option.min}` : option.integer ? `a whole number ≥ ${option.min}` : `≥ ${option.min}`;
  const high = option.maxExclusive ? `below ${option.max}` : `at most ${option.max}`;
  return `${low} and ${high}`;
}
