/**
 * The schema of a training request (`training:start`'s `request`), derived from the option registry
 * (src-shared/train-options.ts): each option's choices or bounds are written there once, and the CLI's flags,
 * the trainer and this check all read them. An option added to the registry is accepted here with no edit.
 */
import * as v from 'valibot';
import { describeRange, TRAIN_OPTIONS, type TrainOption, type TrainOptionKey } from './train-options.ts';
import type { TrainConfig, TrainRequest } from './training-types.ts';

/** One option's schema; every way of missing it gets the registry's own description of what it takes. */
function optionSchema(option: TrainOption): v.GenericSchema<unknown, string | number | boolean> {
  if (option.kind === 'boolean') return v.boolean('true or false');
  if (option.kind === 'choice') {
    const expected = `one of ${option.choices.join(', ')}`;
    return v.pipe(v.string(expected), v.check((s) => option.choices.includes(s), expected));
  }
  const expected = `${option.integer ? '' : 'a number '}${describeRange(option)}`;
  return v.pipe(
    v.number(expected),
    v.check((n) => !option.integer || Number.isInteger(n), expected),
    v.check((n) => (option.minExclusive ? n > option.min : n >= option.min), expected),
    v.check((n) => (option.maxExclusive ? n < option.max : n <= option.max), expected),
  );
}

// Typed per key by assertion (a schema built in a loop has no per-key type); contract-schemas.ts then checks that
// the keys are exactly TrainConfig's, so an option missing from the registry, or one too many, does not compile.
type Entries = { [K in TrainOptionKey]: v.OptionalSchema<v.GenericSchema<unknown, TrainConfig[K & keyof TrainConfig]>, undefined> };
const entries = Object.fromEntries(
  (Object.entries(TRAIN_OPTIONS) as Array<[TrainOptionKey, TrainOption]>).map(([key, option]) => [key, v.optional(optionSchema(option))]),
) as unknown as Entries;

/** Every option a request may set; each may be left out (the trainer fills in defaults). */
export const trainRequestSchema = v.strictObject(entries, 'an object of training options') satisfies v.GenericSchema<unknown, TrainRequest>;
