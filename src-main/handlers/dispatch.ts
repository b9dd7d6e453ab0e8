import { REQUEST_NAMES, toBridgeError, type Reply, type RequestName } from '../../src-shared/contract.ts';
import type { Handlers } from './handler-types.ts';

const KNOWN = new Set<string>(REQUEST_NAMES);

/** Runs one request by name and returns its outcome as data: transports never see a thrown error. */
export async function dispatch(handlers: Handlers, name: string, args: unknown): Promise<Reply<unknown>> {
  if (!KNOWN.has(name)) return { ok: false, error: { code: 'UNKNOWN_REQUEST', message: `unknown request ${name}` } };
  try {
    const handler = handlers[name as RequestName] as (a: unknown) => unknown;
    return { ok: true, value: await handler(args) };
  } catch (e) {
    return { ok: false, error: toBridgeError(e) };
  }
}
