import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent } from 'electron';
import { resolveCatalogPath } from '../catalog/catalog-path.ts';
import { openCatalog } from '../catalog/open-catalog.ts';
import { allHandlers } from '../handlers/all-handlers.ts';
import { dispatch } from '../handlers/dispatch.ts';
import { REQUEST_NAMES } from '../../src-shared/contract.ts';
import { EventQueue } from './event-queue.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const devUrl = process.env.ELECTRON_RENDERER_URL;
const rendererFile = path.join(here, '../renderer/index.html');

/** Only our own page may call the services: the dev server in development, the packaged file otherwise. */
function fromOurRenderer(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return devUrl ? url.startsWith(devUrl) : url.startsWith('file://') && fileURLToPath(url.split(/[?#]/)[0]) === rendererFile;
}

async function createWindow(): Promise<void> {
  const catalogPath = resolveCatalogPath(process.env.LOOKALIKE_DB);
  const db = openCatalog(catalogPath);
  const queue = new EventQueue();
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Lookalike',
    webPreferences: {
      preload: path.join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  const handlers = allHandlers({
    db,
    catalogPath,
    transport: 'electron',
    emit: queue.emit,
    pickFolder: async () => {
      const r = await dialog.showOpenDialog(win, { properties: ['openDirectory'], title: 'Choose a folder with left/ and right/' });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(name, (event, args) =>
      fromOurRenderer(event) ? dispatch(handlers, name, args) : { ok: false, error: { code: 'FORBIDDEN', message: 'request from an unknown page' } },
    );
  }
  ipcMain.on('renderer:ready', (event) => {
    if (event.sender === win.webContents) queue.ready(win.webContents);
  });
  win.webContents.on('did-start-loading', () => queue.detach());
  // No navigation away from the app and no new windows: links to the outside are not followed.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.on('closed', () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(name);
    db.close();
  });
  if (devUrl) await win.loadURL(devUrl);
  else await win.loadFile(rendererFile);
}

app.whenReady().then(() => {
  // The page's own CSP is in index.html; this backs it up for every response, dev server included.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          devUrl
            ? "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws:"
            : "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
        ],
      },
    });
  });
  void createWindow();
});
app.on('window-all-closed', () => app.quit());
