import type { TrainFormState } from './train-defaults.ts';

/** Problems of a form before it is sent, by field: what is wrong, in the user's words. */
export type FieldProblems = Partial<Record<string, string>>;

/**
 * The training form's values checked against the trainer's bounds (src-main/model-store/train-config.ts), so a
 * wrong value is marked in the form instead of coming back as an error. The trainer still checks: this only
 * saves a round trip.
 */
export function checkTrainForm(form: TrainFormState): FieldProblems {
  const out: FieldProblems = {};
  const whole = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
  if (!whole(form.epochs, 1)) out.epochs = 'Type a whole number of epochs, 1 or more.';
  // v-model.number leaves an emptied field as '': that, like null, means the trainer's default.
  const batch = form.batchSize as unknown;
  if (batch != null && batch !== '' && !whole(batch, 2)) out.batchSize = 'Type a whole batch size of 2 or more, or leave it empty for the default.';
  if (!(typeof form.learningRate === 'number' && form.learningRate > 0 && form.learningRate < 1)) out.learningRate = 'Type a learning rate between 0 and 1, such as 0.001.';
  if (!(typeof form.margin === 'number' && form.margin > 0 && form.margin <= 10)) out.margin = 'Type a margin above 0 and at most 10, such as 0.5.';
  if (!whole(form.seed, 0)) out.seed = 'Type a whole number of 0 or more.';
  return out;
}

/** The number of results a query may ask for, as the Results field shows it. */
export function checkTop(top: unknown): string | undefined {
  return typeof top === 'number' && Number.isInteger(top) && top >= 1 && top <= 100 ? undefined : 'Ask for 1 to 100 results.';
}
