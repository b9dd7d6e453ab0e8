// Starts a TypeScript worker from the sources (CLI, tests): Node 20 ignores `--import` in a worker's execArgv,
// so the worker registers tsx itself, then loads the real entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
