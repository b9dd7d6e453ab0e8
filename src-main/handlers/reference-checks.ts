import { referenceExists, type ReferenceKind } from '../catalog/references.ts';
import type { Db } from '../catalog/open-catalog.ts';
import type { RequestName } from '../../src-shared/contract.ts';
import type { Handlers } from './handler-types.ts';

/**
 * The argument names that point at catalog rows, in every request of the contract. A request naming one that does
 * not exist is answered with its not-found code — `datasets:pairs` of a dataset that is gone used to answer an
 * empty list, indistinguishable from an empty dataset.
 */
const REFERENCES: Record<string, { kind: ReferenceKind; code: string; noun: string; hint: string }> = {
  datasetId: { kind: 'dataset', code: 'DATASET_NOT_FOUND', noun: 'dataset', hint: 'see `lookalike datasets`' },
  runId: { kind: 'run', code: 'RUN_NOT_FOUND', noun: 'run', hint: 'see `lookalike runs`' },
  resultImageId: { kind: 'image', code: 'IMAGE_NOT_FOUND', noun: 'catalog image', hint: 'it may have been removed by a re-import' },
};

/** Throws the not-found error of the first argument that names a missing catalog row. */
export function checkReferences(db: Db, args: unknown): void {
  if (typeof args !== 'object' || args === null) return;
  for (const [field, ref] of Object.entries(REFERENCES)) {
    const id = (args as Record<string, unknown>)[field];
    if (typeof id === 'number' && !referenceExists(db, ref.kind, id)) {
      throw Object.assign(new Error(`no ${ref.noun} ${id} in the catalog (${ref.hint})`), { code: ref.code });
    }
  }
}

/** The same handlers, each checking its arguments' references first (after `dispatch` has checked their shape). */
export function withReferenceChecks(db: Db, handlers: Handlers): Handlers {
  const checked: Record<string, (args: unknown) => unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as Array<[RequestName, (args: unknown) => unknown]>) {
    checked[name] = (args: unknown) => {
      checkReferences(db, args);
      return handler(args);
    };
  }
  return checked as Handlers;
}
