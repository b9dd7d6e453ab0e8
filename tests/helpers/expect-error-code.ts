import { expect } from 'vitest';
import { EvalError } from '../../src-main/ml/metrics/retrieval-metrics.ts';

/** Asserts that `fn` throws an instance of `type` whose `code` is `code`. */
export function expectErrorCode(fn: () => unknown, type: new (...args: never[]) => Error & { code: string }, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected a ${type.name} ${code}`);
}

/** Asserts that `fn` throws an EvalError with this code. */
export function expectEvalError(fn: () => unknown, code: string): void {
  expectErrorCode(fn, EvalError, code);
}
