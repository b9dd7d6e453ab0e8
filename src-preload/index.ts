import { contextBridge, ipcRenderer } from 'electron';
import { buildApi } from '../src-shared/api.ts';
import type { EventName, Reply, RequestName } from '../src-shared/contract.ts';

// The page gets grouped typed functions built from the contract — never ipcRenderer itself.
const api = buildApi({
  invoke: (name: RequestName, args: unknown) => ipcRenderer.invoke(name, args) as Promise<Reply<unknown>>,
  subscribe: (name: EventName, listener: (payload: unknown) => void) => {
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(name, wrapped);
    return () => ipcRenderer.off(name, wrapped);
  },
  // Served by main's `lookalike-media:` protocol, which answers for catalog images only.
  mediaUrl: (kind, imageId) => `lookalike-media://${kind}/${Number(imageId)}`,
});
contextBridge.exposeInMainWorld('lookalike', api);
