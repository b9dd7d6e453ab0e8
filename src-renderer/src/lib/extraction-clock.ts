import type { TrainProgress } from '../../../src-shared/training-types.ts';

/** Where the one-time feature extraction is, and when it will be done at the rate seen so far. */
export interface FeatureExtraction {
  done: number;
  total: number;
  /** Seconds left at the rate of the images computed since the clock saw the extraction start; null until measurable. */
  etaSeconds: number | null;
}

/**
 * Times a training's feature extraction from its progress events: from the first `features` event seen (its
 * `done` counts the images already cached, which cost nothing) to the latest, so the ETA is the rate of the
 * images really computed here, not a guess. Any other phase stops the clock.
 */
export class ExtractionClock {
  private start: { t: number; done: number } | null = null;
  private latest: { t: number; done: number; total: number } | null = null;

  constructor(private readonly now: () => number) {}

  /** Hears a progress event (null: the job ended or another is shown). */
  observe(p: TrainProgress | null): void {
    if (!p || p.phase !== 'features') {
      this.start = this.latest = null;
      return;
    }
    const mark = { t: this.now(), done: p.done, total: p.total };
    this.start ??= mark;
    this.latest = mark;
  }

  /** The extraction as the progress bar shows it, or null outside of one. */
  get state(): FeatureExtraction | null {
    const { start, latest } = this;
    if (!start || !latest) return null;
    const computed = latest.done - start.done;
    const seconds = (latest.t - start.t) / 1000;
    return { done: latest.done, total: latest.total, etaSeconds: computed > 0 && seconds > 0 ? ((latest.total - latest.done) * seconds) / computed : null };
  }
}
