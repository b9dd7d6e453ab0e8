/**
 * The messages of the local server's WebSocket, on top of the one contract. The browser's transport
 * (src-renderer/src/web-transport.ts) and the server (ws-bridge.ts) both use these types; nothing here is
 * Node- or browser-specific.
 */
import type { EventName, Events, Reply, RequestName } from './contract.ts';

/** Where the WebSocket is served, on the page's own origin. */
export const WS_PATH = '/ws';

/** Browser → server: one request of the contract. `id` is the client's, echoed in the reply. */
export interface WireRequest {
  id: number | string;
  name: RequestName;
  args?: unknown;
}

/** Server → browser: the outcome of request `id`; `id` is null when the message was unreadable (bad JSON). */
export interface WireReply {
  id: number | string | null;
  reply: Reply<unknown>;
}

/** Server → every browser: one event of the contract. */
export interface WireEvent<K extends EventName = EventName> {
  event: K;
  payload: Events[K];
}

export type ServerMessage = WireReply | WireEvent;

/** The error code of a message the server could not read as a request. */
export const BAD_MESSAGE = 'BAD_MESSAGE';

/**
 * Reads one text frame as a request, or says why it is not one (with the id when one could be read, so the
 * client's pending call still gets its answer).
 */
export function parseWireRequest(text: string): { ok: true; request: WireRequest } | { ok: false; id: WireReply['id']; message: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, id: null, message: `not JSON: ${(e as Error).message}` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ok: false, id: null, message: 'a request is an object { id, name, args }' };
  const { id, name, args } = data as Record<string, unknown>;
  const validId = (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length > 0 && id.length <= 100);
  if (!validId) return { ok: false, id: null, message: 'a request needs an "id" (a number or a short string)' };
  if (typeof name !== 'string') return { ok: false, id: id as WireRequest['id'], message: 'a request needs a "name" (area:verb)' };
  // JSON has no undefined: a client that sends null for "no arguments" means the same thing.
  return { ok: true, request: { id: id as WireRequest['id'], name: name as RequestName, args: args === null ? undefined : args } };
}
