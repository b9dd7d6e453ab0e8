import { REQUEST_NAMES, toBridgeError, type Reply, type RequestName } from '../../src-shared/contract.ts';
import { BAD_ARGUMENT, checkArgs } from '../../src-shared/check-args.ts';
import type { Handlers } from './handler-types.ts';

const KNOWN = new Set<string>(REQUEST_NAMES);

/**
 * Runs one request by name and returns its outcome as data: transports never see a thrown error. This is the one
 * place requests enter (Electron IPC and the WebSocket): arguments are checked against the request's schema here,
 * so no handler sees a wrong type or an out-of-bounds value.
 */
export async function dispatch(handlers: Handlers, name: string, args: unknown): Promise<Reply<unknown>> {
  if (!KNOWN.has(name)) return { ok: false, error: { code: 'UNKNOWN_REQUEST', message: `unknown request ${JSON.stringify(name.slice(0, 60))}` } };
  const checked = checkArgs(name as RequestName, args);
  if (!checked.ok) return { ok: false, error: { code: BAD_ARGUMENT, message: checked.message } };
  try {
    const handler = handlers[name as RequestName] as (a: unknown) => unknown;
    return { ok: true, value: await handler(checked.value) };
  } catch (e) {
    return { ok: false, error: toBridgeError(e) };
  }
}
