/**
 * The training form's estimate of the one-time feature extraction: images without cached features × the seconds
 * per image this process measured on its own latest extraction (from the trainings' progress events). Nothing is
 * guessed: before a first extraction here, the time per image is unknown.
 */
import { cacheCoverage } from '../catalog/training-preflight.ts';
import type { Db } from '../catalog/open-catalog.ts';
import type { ArgsOf, FeatureEstimate } from '../../src-shared/contract.ts';
import type { TrainConfig, TrainProgress } from '../../src-shared/training-types.ts';
import { measuredBestRecipe, type TrainMode } from '../../src-shared/train-options.ts';

/** Fewer computed images than this (one batch) would time the backbone's warm-up, not its speed. */
const MIN_TIMED_IMAGES = 8;

/** What a rate is kept under: the backbone, the recipe and the mode (partial caches the bigger prefix activation). */
function rateKey(backbone: string, features: string, mode: TrainMode): string {
  return `${backbone} · ${features} · ${mode}`;
}

/**
 * The parts of a feature-cache extractor key, as model-store/feature-cache.ts `extractorKey` writes it:
 * `ID@SIZE:WEIGHTS[:RECIPE][:cut=LAYER]` (no recipe part for `final`). Read here from the string, so that finding
 * out what is cached never loads tfjs into the main process.
 */
export function parseExtractorKey(key: string): { backbone: string; recipe: string; partial: boolean } | null {
  const m = /^([^@]+)@\d+:[0-9a-f]+((?::(?!cut=)[^:]+)?)((?::cut=.+)?)$/.exec(key);
  if (!m) return null;
  return { backbone: m[1], recipe: m[2] ? m[2].slice(1) : 'final', partial: m[3] !== '' };
}

/** Seconds per extracted image, measured from the trainings' `features` progress events of this process. */
export class FeatureRates {
  private readonly open = new Map<string, { t0: number; d0: number; t: number; d: number }>();
  private readonly measured = new Map<string, { secondsPerImage: number; at: number }>();
  private seq = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A training's progress: its extraction is timed from its first `features` event to its last. */
  observe(jobId: string, p: TrainProgress, config: () => TrainConfig | undefined): void {
    if (p.phase !== 'features') return void this.settle(jobId, config);
    const t = this.now();
    const o = this.open.get(jobId);
    if (!o) this.open.set(jobId, { t0: t, d0: p.done, t, d: p.done });
    else Object.assign(o, { t, d: p.done });
  }

  /** The job's extraction is over (the next phase began, or the job ended): its rate is kept if it timed enough images. */
  settle(jobId: string, config: () => TrainConfig | undefined): void {
    const o = this.open.get(jobId);
    if (!o) return;
    this.open.delete(jobId);
    const images = o.d - o.d0;
    const c = images >= MIN_TIMED_IMAGES ? config() : undefined;
    if (!c || (c.mode !== 'head' && c.mode !== 'partial')) return;
    this.measured.set(rateKey(c.backbone, c.features ?? 'final', c.mode), { secondsPerImage: (o.t - o.t0) / 1000 / images, at: ++this.seq });
  }

  /** The latest rate for these settings (any backbone when none is given), and what it was measured on. */
  rateFor(backbone: string | undefined, features: string, mode: TrainMode): { secondsPerImage: number; measuredOn: string } | null {
    let best: { secondsPerImage: number; measuredOn: string; at: number } | null = null;
    for (const [key, r] of this.measured) {
      const [b, f, m] = key.split(' · ');
      if ((backbone === undefined || b === backbone) && f === features && m === mode && (!best || r.at > best.at)) best = { ...r, measuredOn: key };
    }
    return best && { secondsPerImage: best.secondsPerImage, measuredOn: best.measuredOn };
  }
}

/**
 * The estimate for a training of `args` on the catalog: the dataset's images not yet cached for the extractor it
 * would use. With no backbone chosen, the best-covered extractor of either backbone counts (the trainer prefers
 * ResNet50 when its weights are here; which one it takes is known only once it loads).
 */
export function estimateFeatures(db: Db, rates: FeatureRates, args: ArgsOf<'training:estimate'>): FeatureEstimate {
  const mode = args.mode ?? 'head';
  // No recipe chosen: each backbone trains on its measured best (registry), as the trainer does.
  const recipeOf = (backbone: string) => args.features ?? measuredBestRecipe(backbone);
  // Without a backbone: the offline one's recipe, what trains wherever ResNet50's weights are absent.
  const features = recipeOf(args.backbone ?? 'mobilenetv2');
  const coverage = cacheCoverage(db, args.datasetId);
  const synthetic = (args.augment ?? 0) * coverage.trainPairs;
  if (mode === 'finetune') return { extracts: false, images: coverage.images, uncached: 0, synthetic: 0, secondsPerImage: null, measuredOn: null };
  let cached = 0;
  for (const { extractor, cached: n } of coverage.byExtractor) {
    const k = parseExtractorKey(extractor);
    if (k && (args.backbone === undefined || k.backbone === args.backbone) && k.recipe === recipeOf(k.backbone) && k.partial === (mode === 'partial')) cached = Math.max(cached, n);
  }
  const rate = rates.rateFor(args.backbone, features, mode);
  return { extracts: true, images: coverage.images, uncached: coverage.images - cached, synthetic, secondsPerImage: rate?.secondsPerImage ?? null, measuredOn: rate?.measuredOn ?? null };
}
