import { expect } from 'vitest';
import { EvalError } from '../../src-main/eval/retrieval-metrics.ts';

/** Asserts that `fn` throws an EvalError with this code. */
export function expectEvalError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).code).toBe(code);
    return;
  }
  throw new Error(`expected an EvalError ${code}`);
}
