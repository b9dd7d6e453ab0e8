import type { BridgeError } from '../../src-shared/contract.ts';
import type { QueryRequest, QueryResponse } from '../../src-shared/query-types.ts';

export type ToQueryWorker = { id: number; type: 'query'; req: QueryRequest } | { id: number; type: 'cancel' };

export type FromQueryWorker =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'result'; value: QueryResponse }
  | { id: number; type: 'error'; error: BridgeError };
