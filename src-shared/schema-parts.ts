/**
 * The building blocks of the contract's schemas. Each leaf carries one sentence saying what it expects, in the
 * user's words ("a dataset id: a whole number from 1 to …"), which `checkArgs` puts after the field's name.
 */
import * as v from 'valibot';

/** A whole number within bounds; every way of missing it gets the same description. */
export function wholeNumber(what: string, min: number, max: number) {
  const expected = `${what}: a whole number from ${min} to ${max}`;
  return v.pipe(v.number(expected), v.integer(expected), v.minValue(min, expected), v.maxValue(max, expected));
}

/** A number within bounds, ends included unless said otherwise. */
export function boundedNumber(what: string, bounds: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean }) {
  const low = bounds.minExclusive ? `above ${bounds.min}` : `from ${bounds.min}`;
  const high = bounds.maxExclusive ? `below ${bounds.max}` : `${bounds.minExclusive ? 'and at most' : 'to'} ${bounds.max}`;
  const expected = `${what}: ${bounds.integer ? 'a whole number' : 'a number'} ${low} ${high}`;
  return v.pipe(
    v.number(expected),
    v.check((n) => !bounds.integer || Number.isInteger(n), expected),
    v.check((n) => (bounds.minExclusive ? n > bounds.min : n >= bounds.min), expected),
    v.check((n) => (bounds.maxExclusive ? n < bounds.max : n <= bounds.max), expected),
  );
}

/**
 * A string of `min`..`max` characters without NUL characters: paths and names end up in the file system and in
 * SQLite, and Node refuses a path with a NUL with an error about its internals.
 */
export function text(what: string, min: number, max: number) {
  const expected = `${what} of ${min} to ${max} characters`;
  return v.pipe(v.string(expected), v.minLength(min, expected), v.maxLength(max, expected), v.check((s) => !s.includes('\0'), `${what} without NUL characters`));
}
