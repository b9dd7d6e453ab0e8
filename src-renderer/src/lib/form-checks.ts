import { describeRange, TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type NumberOption } from '../../../src-shared/train-options.ts';
import type { NumberKey, TrainFormState } from './train-defaults.ts';

/** Problems of a form before it is sent, by field: what is wrong, in the user's words. */
export type FieldProblems = Partial<Record<string, string>>;

/** The number fields of the training form (every number option of the registry), each checked against its bounds. */
const NUMBER_FIELDS = TRAIN_OPTION_KEYS.filter((k): k is NumberKey => TRAIN_OPTIONS[k].kind === 'number');

function outOfBounds(option: NumberOption, value: number): boolean {
  if (option.integer && !Number.isInteger(value)) return true;
  const tooLow = option.minExclusive ? value <= option.min : value < option.min;
  const tooHigh = option.maxExclusive ? value >= option.max : value > option.max;
  return tooLow || tooHigh;
}

/**
 * The training form's values checked against the option registry's bounds (src-shared/train-options.ts, the
 * ones the trainer enforces), so a wrong value is marked in the form instead of coming back as an error. The
 * trainer still checks: this only saves a round trip, and says it without a command-line flag.
 */
export function checkTrainForm(form: TrainFormState): FieldProblems {
  const out: FieldProblems = {};
  for (const key of NUMBER_FIELDS) {
    const option: NumberOption = TRAIN_OPTIONS[key];
    const value = form[key] as unknown;
    // v-model.number leaves an emptied field as '': for an option the trainer defaults (batch size), that is "default".
    if ((value === null || value === '') && option.default === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || outOfBounds(option, value)) {
      out[key] = `${option.label} must be ${describeRange(option)}${option.default === null ? ', or left empty for the default' : ''}.`;
    }
  }
  return out;
}

/** The number of results a query may ask for, as the Results field shows it. */
export function checkTop(top: unknown): string | undefined {
  return typeof top === 'number' && Number.isInteger(top) && top >= 1 && top <= 100 ? undefined : 'Ask for 1 to 100 results.';
}
