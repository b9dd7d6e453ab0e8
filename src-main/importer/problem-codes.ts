export type { ImportProblem, ProblemCode } from '../../src-shared/catalog-types.ts';
