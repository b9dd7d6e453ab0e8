import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, session } from 'electron';
import { resolveCatalogPath } from '../catalog/catalog-path.ts';
import { openCatalog, type Db } from '../catalog/open-catalog.ts';
import { createServices } from '../handlers/all-handlers.ts';
import { desktopSampleDir } from './app-paths-electron.ts';
import { openAppWindow } from './app-window.ts';
import { EventQueue } from './event-queue.ts';
import { handleMediaProtocol, MEDIA_SCHEME, registerMediaScheme } from './media-protocol.ts';
import { pickFolder, pickImage } from './native-dialogs.ts';
import { quitCleanly } from './quit-cleanly.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const devUrl = process.env.ELECTRON_RENDERER_URL;
const paths = { preload: path.join(here, '../preload/index.cjs'), rendererFile: path.join(here, '../renderer/index.html'), devUrl };

/** The page's own CSP is in index.html; this backs it up on every response, dev server included. */
function installCsp(): void {
  const img = `img-src 'self' ${MEDIA_SCHEME}: data: blob:`;
  const policy = devUrl
    ? `default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; ${img}; connect-src 'self' ws:`
    : `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; ${img}; connect-src 'self'; object-src 'none'; base-uri 'none'`;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}

// Privileged schemes must be declared before the app is ready.
registerMediaScheme();

let db: Db | undefined;

app.whenReady().then(async () => {
  const catalogPath = resolveCatalogPath(process.env.LOOKALIKE_DB);
  try {
    db = openCatalog(catalogPath);
  } catch (e) {
    dialog.showErrorBox('Lookalike cannot open its catalog', (e as Error).message);
    app.quit();
    return;
  }
  const catalog = db;
  installCsp();
  handleMediaProtocol(() => catalog);
  const queue = new EventQueue();
  // The window is made after the services; the dialogs and the ready signal reach it through this variable.
  let win: Awaited<ReturnType<typeof openAppWindow>> | undefined;
  const services = createServices({
    db: catalog,
    catalogPath,
    transport: 'electron',
    samplePath: desktopSampleDir({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() }),
    emit: queue.emit,
    pickFolder: async () => (win ? pickFolder(win) : null),
    pickImage: async () => (win ? pickImage(win) : null),
    onRendererReady: () => {
      if (win && !win.isDestroyed()) queue.ready(win.webContents);
    },
  });
  quitCleanly(app, process, services.dispose, () => db?.close());
  win = await openAppWindow(services, queue, paths);
}).catch((e: Error) => {
  dialog.showErrorBox('Lookalike could not start', e.stack ?? e.message);
  app.quit();
});
app.on('window-all-closed', () => app.quit());
