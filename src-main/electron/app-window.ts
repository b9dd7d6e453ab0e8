import { BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { Db } from '../catalog/open-catalog.ts';
import { allHandlers } from '../handlers/all-handlers.ts';
import { EventQueue } from './event-queue.ts';
import { registerIpc } from './ipc-bridge.ts';
import { pickFolder, pickImage } from './native-dialogs.ts';
import { appPageMatcher, lockNavigation } from './security.ts';

/** Where the window's code is: the entry computes these, since only it knows where the bundle landed. */
export interface WindowPaths {
  preload: string;
  /** The packaged page, on the app's own scheme (lookalike-app://app/index.html, served from out/renderer). */
  pageUrl: string;
  /** electron-vite's dev server, in development. */
  devUrl?: string;
}

/**
 * Opens the app's window with its own services: a sandboxed, context-isolated page with no Node, whose requests
 * are served only when they come from that page, and whose events wait in a queue until it says it is ready.
 */
export async function openAppWindow(db: Db, catalogPath: string, paths: WindowPaths): Promise<BrowserWindow> {
  const queue = new EventQueue();
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Lookalike',
    webPreferences: { preload: paths.preload, contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  const handlers = allHandlers({
    db,
    catalogPath,
    transport: 'electron',
    emit: queue.emit,
    pickFolder: () => pickFolder(win),
    pickImage: () => pickImage(win),
  });

  /** Only our own page may call the services: the dev server in development, the packaged page otherwise. */
  const isAppPage = appPageMatcher(paths.devUrl);
  const isOurs = (event: IpcMainInvokeEvent | IpcMainEvent): boolean => {
    if (win.isDestroyed() || event.sender !== win.webContents) return false;
    const url = event.senderFrame?.url ?? '';
    return paths.devUrl ? isAppPage(url) : url.split(/[?#]/)[0] === paths.pageUrl;
  };
  const unregister = registerIpc(handlers, isOurs, () => queue.ready(win.webContents));

  win.webContents.on('did-start-loading', () => queue.detach());
  // No navigation away from the app and no new windows: links to the outside are not followed.
  lockNavigation(win.webContents, isAppPage);
  win.on('closed', unregister);
  await win.loadURL(paths.devUrl ?? paths.pageUrl);
  return win;
}
