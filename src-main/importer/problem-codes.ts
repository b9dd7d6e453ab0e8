export type { ImportProblem, ProblemCode } from '../../src-shared/catalog-types.ts';

/**
 * Every code a query gives an image it refuses (the importer's file checks plus NOT_FOUND), for a UI that offers
 * "choose another image" and for a batch that lists the file and goes on. Here, not beside the query, so that the
 * app's main process can know them without loading tfjs.
 */
export const QUERY_IMAGE_CODES = ['NOT_FOUND', 'DIRECTORY', 'NOT_REGULAR_FILE', 'EMPTY_FILE', 'FILE_TOO_LARGE', 'UNREADABLE', 'NOT_AN_IMAGE', 'CORRUPT_IMAGE', 'TOO_MANY_PIXELS', 'UNSUPPORTED_TYPE'] as const;
