import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, protocol, session } from 'electron';
import { resolveCatalogPath } from '../catalog/catalog-path.ts';
import { openCatalog, type Db } from '../catalog/open-catalog.ts';
import { createServices } from '../handlers/all-handlers.ts';
import { desktopSampleDir } from './app-paths-electron.ts';
import { openAppWindow } from './app-window.ts';
import { handleAppProtocol } from './app-protocol.ts';
import { EventQueue } from './event-queue.ts';
import { handleMediaProtocol } from './media-protocol.ts';
import { pickFolder, pickImage } from './native-dialogs.ts';
import { quitCleanly } from './quit-cleanly.ts';
import { registerSchemes } from './schemes.ts';
import { APP_PAGE_URL, appCsp, appPageMatcher, devRendererUrl, installSecurity } from './security.ts';
import { reportStartupError, type StartupErrorDeps } from './startup-error.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '../renderer');
// The dev server only in an unpackaged app: the page it serves gets the whole API.
let devUrl: string | undefined;
const startupError: StartupErrorDeps = { showErrorBox: (t, c) => dialog.showErrorBox(t, c), logDir: () => app.getPath('logs'), quit: () => app.quit() };

/** The page's own CSP is in index.html; this backs it up on every response, dev server included. */
function installCsp(): void {
  const policy = appCsp(devUrl !== undefined);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}

// Privileged schemes must be declared before the app is ready.
registerSchemes(protocol);

let db: Db | undefined;

app.whenReady().then(async () => {
  devUrl = devRendererUrl(app, process.env);
  installSecurity(app, session.defaultSession, appPageMatcher(devUrl));
  const catalogPath = resolveCatalogPath(process.env.LOOKALIKE_DB);
  try {
    db = openCatalog(catalogPath);
  } catch (e) {
    reportStartupError(startupError, 'Lookalike cannot open its catalog', e);
    return;
  }
  const catalog = db;
  installCsp();
  handleAppProtocol(protocol, rendererDir, appCsp(false));
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
  win = await openAppWindow(services, queue, { preload: path.join(here, '../preload/index.cjs'), pageUrl: APP_PAGE_URL, devUrl });
}).catch((e: unknown) => reportStartupError(startupError, 'Lookalike could not start', e));
app.on('window-all-closed', () => app.quit());
