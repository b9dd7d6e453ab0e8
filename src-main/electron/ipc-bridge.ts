import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { dispatch } from '../handlers/dispatch.ts';
import type { Handlers } from '../handlers/handler-types.ts';
import { REQUEST_NAMES, type Reply } from '../../src-shared/contract.ts';

const FORBIDDEN: Reply<never> = { ok: false, error: { code: 'FORBIDDEN', message: 'request from an unknown page' } };

/**
 * Serves every request of the contract over IPC, each checked against `isOurs` (the sender's frame must be our
 * own page), and tells `onReady` when our page says it listens. Returns the function that unregisters it all.
 */
export function registerIpc(handlers: Handlers, isOurs: (event: IpcMainInvokeEvent | IpcMainEvent) => boolean, onReady: () => void): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(name, (event, args) => (isOurs(event) ? dispatch(handlers, name, args) : FORBIDDEN));
  }
  const ready = (event: IpcMainEvent) => {
    if (isOurs(event)) onReady();
  };
  ipcMain.on('renderer:ready', ready);
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(name);
    ipcMain.off('renderer:ready', ready);
  };
}
