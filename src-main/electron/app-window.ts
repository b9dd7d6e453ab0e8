import { BrowserWindow, ipcMain } from 'electron';
import type { Services } from '../handlers/all-handlers.ts';
import type { EventQueue } from './event-queue.ts';
import { registerIpc } from './ipc-bridge.ts';
import { appPageMatcher, lockNavigation } from './security.ts';
import { isOwnSender, type PageOrigin } from './sender-check.ts';

/** Where the window's code is: the entry computes these, since only it knows where the bundle landed. */
export interface WindowPaths extends PageOrigin {
  preload: string;
}

/**
 * Opens the app's window on the app's services: a sandboxed, context-isolated page with no Node, whose requests
 * are served only when they come from that page, and whose events wait in `queue` until it says it is ready
 * (`renderer:ready`, which the services route to `queue.ready`).
 */
export async function openAppWindow(services: Services, queue: EventQueue, paths: WindowPaths): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Lookalike',
    webPreferences: { preload: paths.preload, contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  const unregister = registerIpc(ipcMain, services.handlers, (event) => isOwnSender(event, win, paths));

  win.webContents.on('did-start-loading', () => queue.detach());
  // No navigation away from the app and no new windows: links to the outside are not followed.
  lockNavigation(win.webContents, appPageMatcher(paths.devUrl));
  win.on('closed', unregister);
  await win.loadURL(paths.devUrl ?? paths.pageUrl);
  return win;
}
