import type { TrainRequest } from '../../../src-shared/training-types.ts';
import {
  TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type ChoiceOption, type NumberOption, type TrainOption, type TrainOptionKey,
} from '../../../src-shared/train-options.ts';

/** The registry the form is built from: each field's label, help sentence, choices, bounds and default. */
export { TRAIN_OPTIONS };

type Options = typeof TRAIN_OPTIONS;
type KeysOfKind<Kind extends TrainOption['kind']> = { [K in TrainOptionKey]: Options[K]['kind'] extends Kind ? K : never }[TrainOptionKey];
export type ChoiceKey = KeysOfKind<'choice'>;
export type NumberKey = KeysOfKind<'number'>;
export type BooleanKey = KeysOfKind<'boolean'>;

/**
 * What the form holds for each option: a choice (or "auto" where the trainer decides), a number (null where the
 * trainer decides and the field is left empty), or a switch.
 */
export type TrainFormState = {
  [K in TrainOptionKey]: Options[K] extends { kind: 'choice'; choices: readonly (infer C)[]; default: infer D }
    ? C | (D extends null ? 'auto' : never)
    : Options[K] extends { kind: 'number'; default: infer D }
      ? number | (D extends null ? null : never)
      : boolean;
};

/**
 * The settings shown up front; every other option of the registry goes in the "Advanced" fold, so an option added
 * to the registry appears in the form without an edit here. Augmentation is up front: it mattered most.
 */
export const BASIC_KEYS = ['backbone', 'mode', 'epochs', 'augment', 'augmentStyle'] as const satisfies readonly TrainOptionKey[];
export const ADVANCED_KEYS: TrainOptionKey[] = TRAIN_OPTION_KEYS.filter((k) => !(BASIC_KEYS as readonly string[]).includes(k));

/** The default first, then the others in the registry's order: the form opens on what the trainer would pick. */
function defaultFirst<T extends string>(choices: readonly T[], preferred: T | null): T[] {
  return preferred === null ? [...choices] : [preferred, ...choices.filter((c) => c !== preferred)];
}

const CHOICE_KEYS = TRAIN_OPTION_KEYS.filter((k): k is ChoiceKey => TRAIN_OPTIONS[k].kind === 'choice');

/** The choices the trainer accepts, per choice option, in the order the form lists them (after "automatic"). */
export const TRAIN_CHOICES = Object.fromEntries(
  CHOICE_KEYS.map((k) => {
    const option: ChoiceOption = TRAIN_OPTIONS[k];
    return [k, defaultFirst(option.choices, option.default)];
  }),
) as { [K in ChoiceKey]: Array<Options[K]['choices'][number]> };

/**
 * What a number field left empty shows: "automatic" (its help says what the trainer then picks — for the batch
 * size, per mode — which a placeholder would cut off at 1366 px).
 */
export function placeholderFor(key: NumberKey): string | undefined {
  const option: NumberOption = TRAIN_OPTIONS[key];
  return option.default === null ? 'automatic' : undefined;
}

/** A number field's `min`, `max` and `step` attributes from the option's bounds. */
export function numberInputAttrs(key: NumberKey): { min: number; max: number; step: number | 'any' } {
  const option: NumberOption = TRAIN_OPTIONS[key];
  return { min: option.min, max: option.max, step: option.integer ? 1 : 'any' };
}

/** The "automatic" entry of a choice the trainer makes when the user does not (null: the option has a default). */
export function autoChoiceLabel(key: ChoiceKey): string | null {
  const option: ChoiceOption = TRAIN_OPTIONS[key];
  return option.default === null ? `automatic (${option.auto ?? 'the trainer decides'})` : null;
}

/**
 * A fresh form at the trainer's defaults (src-shared/train-options.ts). Options whose default is the trainer's
 * choice (backbone, mode, batch size, input size) are "auto" or empty here, so nothing is sent for them.
 */
export function defaultTrainForm(): TrainFormState {
  const form: Record<string, unknown> = {};
  for (const key of TRAIN_OPTION_KEYS) {
    const option: TrainOption = TRAIN_OPTIONS[key];
    form[key] = option.kind === 'choice' ? (option.default ?? 'auto') : option.default;
  }
  return form as TrainFormState;
}

/** The request to send: every value the user set, and nothing for what the trainer decides ("auto", empty). */
export function toTrainRequest(form: TrainFormState): TrainRequest {
  const request: Record<string, unknown> = {};
  for (const key of TRAIN_OPTION_KEYS) {
    const value = form[key] as unknown;
    if (value === 'auto' || value === null || value === '' || value === undefined) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) continue;
    request[key] = value;
  }
  return request as TrainRequest;
}
