import { dispatch } from '../handlers/dispatch.ts';
import type { Handlers } from '../handlers/handler-types.ts';
import { REQUEST_NAMES, type Reply } from '../../src-shared/contract.ts';

const FORBIDDEN: Reply<never> = { ok: false, error: { code: 'FORBIDDEN', message: 'request from an unknown page' } };

/** The part of Electron's ipcMain the bridge uses (tests pass a fake). */
export interface IpcMainLike<E> {
  handle(channel: string, listener: (event: E, args: unknown) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Serves every request of the contract over IPC (`renderer:ready` included: it is a request like the others),
 * each checked against `isOurs` (the sender's frame must be our own page). Returns the function that unregisters
 * it all.
 */
export function registerIpc<E>(ipc: IpcMainLike<E>, handlers: Handlers, isOurs: (event: E) => boolean): () => void {
  for (const name of REQUEST_NAMES) {
    ipc.handle(name, (event, args) => (isOurs(event) ? dispatch(handlers, name, args) : FORBIDDEN));
  }
  return () => {
    for (const name of REQUEST_NAMES) ipc.removeHandler(name);
  };
}
