import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEmitter, FakeSession, FakeWebContents, navigation } from './electron-fakes.ts';
import { tempDir } from '../helpers/fixtures.ts';

/**
 * The desktop entry (src-main/electron/main.ts) run against fake Electron objects: what the packaged app loads,
 * which guards it installs, what a start-up failure shows. The Electron binary does not run here.
 */
const h = vi.hoisted(() => ({
  loaded: [] as string[],
  errorBoxes: [] as Array<{ title: string; content: string }>,
  windows: [] as unknown[],
  handled: new Map<string, unknown>(),
  ipc: new Map<string, (event: unknown, args: unknown) => unknown>(),
  windowObjects: [] as Array<{ webContents: unknown }>,
  failWindow: undefined as Error | undefined,
  logDir: '',
  quits: 0,
  app: undefined as unknown as FakeEmitter & { isPackaged: boolean },
  session: undefined as unknown as FakeSession,
}));

vi.mock('electron', async () => {
  const { FakeEmitter, FakeSession, FakeWebContents } = await import('./electron-fakes.ts');
  const app = Object.assign(new FakeEmitter(), {
    isPackaged: true,
    whenReady: () => Promise.resolve(),
    quit: () => void h.quits++,
    getPath: () => h.logDir,
    getAppPath: () => process.cwd(),
    getVersion: () => '0.0.0-test',
  });
  h.app = app;
  h.session = new FakeSession();
  class BrowserWindow extends FakeEmitter {
    readonly webContents = new FakeWebContents();
    constructor(opts: unknown) {
      super();
      if (h.failWindow) throw h.failWindow;
      h.windows.push(opts);
      h.windowObjects.push(this);
      // As Electron does for every page it creates.
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      h.loaded.push(url);
      return Promise.resolve();
    }
    loadFile(file: string) {
      h.loaded.push(`file://${file}`);
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
  }
  const electron = {
    app,
    BrowserWindow,
    session: { defaultSession: h.session },
    protocol: { registerSchemesAsPrivileged: () => {}, handle: (scheme: string, handler: unknown) => void h.handled.set(scheme, handler) },
    ipcMain: { handle: (name: string, fn: (event: unknown, args: unknown) => unknown) => void h.ipc.set(name, fn), on: () => {}, removeHandler: () => {}, off: () => {} },
    dialog: { showErrorBox: (title: string, content: string) => void h.errorBoxes.push({ title, content }), showOpenDialog: async () => ({ canceled: true, filePaths: [] }) },
  };
  return { ...electron, default: electron };
});

const tmp = tempDir('lookalike-electron-main-');
const saved = { url: process.env.ELECTRON_RENDERER_URL, db: process.env.LOOKALIKE_DB };
// Electron sets process.resourcesPath (where an installed app keeps its resources); plain Node has none.
Object.assign(process, { resourcesPath: path.join(tmp.dir, 'resources') });

/** Starts the entry afresh with this environment and waits until it has opened its window or given up. */
async function startApp(opts: { packaged: boolean; rendererUrl?: string; db?: string }): Promise<void> {
  vi.resetModules();
  h.loaded.length = 0;
  h.errorBoxes.length = 0;
  h.windows.length = 0;
  h.windowObjects.length = 0;
  h.ipc.clear();
  h.quits = 0;
  if (opts.rendererUrl === undefined) delete process.env.ELECTRON_RENDERER_URL;
  else process.env.ELECTRON_RENDERER_URL = opts.rendererUrl;
  process.env.LOOKALIKE_DB = opts.db ?? path.join(tmp.dir, 'catalog.sqlite');
  await import('electron'); // the fake, so its app can be set up before main.ts runs
  h.app.isPackaged = opts.packaged;
  h.app.listeners.clear();
  await import('../../src-main/electron/main.ts');
  await vi.waitFor(() => expect(h.loaded.length + h.errorBoxes.length).toBeGreaterThan(0));
}

beforeEach(() => {
  h.failWindow = undefined;
  h.logDir = path.join(tmp.dir, 'logs');
});
afterEach(async () => {
  // Quit as Electron would: quitCleanly holds the quit, disposes the jobs, closes the catalog, then quits.
  if (!h.app?.listeners.get('before-quit')?.length) return;
  const quits = h.quits;
  h.app.emit('before-quit', { preventDefault() {} });
  await vi.waitFor(() => expect(h.quits).toBeGreaterThan(quits));
});
afterAll(() => {
  if (saved.url === undefined) delete process.env.ELECTRON_RENDERER_URL;
  else process.env.ELECTRON_RENDERER_URL = saved.url;
  if (saved.db === undefined) delete process.env.LOOKALIKE_DB;
  else process.env.LOOKALIKE_DB = saved.db;
  tmp.cleanup();
});

describe('the desktop entry (main.ts) with fake Electron objects', () => {
  it('in the packaged app loads its own page on lookalike-app://, whatever ELECTRON_RENDERER_URL says', async () => {
    await startApp({ packaged: true, rendererUrl: 'https://evil.example/' });
    expect(h.errorBoxes).toEqual([]);
    expect(h.loaded).toEqual(['lookalike-app://app/index.html']);
    expect(h.handled.has('lookalike-app')).toBe(true);
    expect(h.windows[0]).toMatchObject({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
  });

  it('in development loads the dev server on this machine', async () => {
    await startApp({ packaged: false, rendererUrl: 'http://localhost:5173' });
    expect(h.loaded).toEqual(['http://localhost:5173/']);
  });

  it('denies every permission and keeps the window on its page', async () => {
    await startApp({ packaged: true });
    const answers: boolean[] = [];
    h.session.permissionRequest!({}, 'media', (granted: boolean) => answers.push(granted), {});
    expect(answers).toEqual([false]);
    expect(h.session.permissionCheck!({}, 'geolocation', 'lookalike-app://app', {})).toBe(false);
    const contents = (h.app.listeners.get('web-contents-created') ?? []).length;
    expect(contents).toBeGreaterThan(0);
    const popup = new FakeWebContents();
    h.app.emit('web-contents-created', {}, popup);
    const away = navigation('https://evil.example/');
    popup.emit('will-navigate', away, away.url);
    expect(away.prevented).toBe(true);
  });

  it('checks the arguments of IPC requests from its page, and answers other pages FORBIDDEN', async () => {
    await startApp({ packaged: true });
    const sender = h.windowObjects[0].webContents;
    const fromPage = { sender, senderFrame: { url: 'lookalike-app://app/index.html' } };
    expect(await h.ipc.get('datasets:pairs')!(fromPage, { datasetId: '1' })).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/datasetId must be/) } });
    expect(await h.ipc.get('datasets:pairs')!(fromPage, { datasetId: 42 })).toMatchObject({ ok: false, error: { code: 'DATASET_NOT_FOUND' } });
    expect(await h.ipc.get('datasets:list')!(fromPage, undefined)).toMatchObject({ ok: true, value: [] });
    const fromElsewhere = { sender, senderFrame: { url: 'https://evil.example/' } };
    expect(await h.ipc.get('datasets:list')!(fromElsewhere, undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('shows a start-up failure as a short message with the log’s place, never a stack', async () => {
    h.failWindow = new Error('the window could not be created');
    await startApp({ packaged: true });
    expect(h.errorBoxes).toHaveLength(1);
    expect(h.errorBoxes[0].title).toBe('Lookalike could not start');
    expect(h.errorBoxes[0].content).toMatch(/^the window could not be created\n\nDetails are in .*lookalike-startup\.log$/);
    expect(h.errorBoxes[0].content).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(path.join(h.logDir, 'lookalike-startup.log'), 'utf8')).toMatch(/\n\s+at /);
    expect(h.quits).toBe(1);
  });

  it('says which catalog it cannot open, without a stack', async () => {
    const notADb = path.join(tmp.dir, 'not-a-db.sqlite');
    fs.writeFileSync(notADb, 'this is not SQLite '.repeat(100));
    await startApp({ packaged: true, db: notADb });
    expect(h.errorBoxes[0].title).toBe('Lookalike cannot open its catalog');
    expect(h.errorBoxes[0].content).toContain(notADb);
    expect(h.errorBoxes[0].content).not.toMatch(/\n\s+at /);
    expect(h.loaded).toEqual([]);
  });
});
