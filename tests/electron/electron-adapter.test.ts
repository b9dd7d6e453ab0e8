// The Electron binary cannot run on the test machines: these drive the adapter's pieces with fakes of the few
// Electron objects they touch (no `electron` import anywhere in this file or in what it imports).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { desktopSampleDir } from '../../src-main/electron/app-paths-electron.ts';
import { EventQueue } from '../../src-main/electron/event-queue.ts';
import { registerIpc, type IpcMainLike } from '../../src-main/electron/ipc-bridge.ts';
import { quitCleanly } from '../../src-main/electron/quit-cleanly.ts';
import { isOwnSender, type IpcSenderLike } from '../../src-main/electron/sender-check.ts';
import type { Handlers } from '../../src-main/handlers/handler-types.ts';
import { REQUEST_NAMES, type Reply } from '../../src-shared/contract.ts';

const rendererFile = path.resolve('/opt/Lookalike/resources/app.asar/out/renderer/index.html');
const pageUrl = 'lookalike-app://app/index.html';

/** A fake ipcMain: records handlers by channel, and lets the test invoke one as a page would. */
function fakeIpc() {
  const handlers = new Map<string, (event: IpcSenderLike, args: unknown) => unknown>();
  const ipc: IpcMainLike<IpcSenderLike> = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = async (channel: string, event: IpcSenderLike, args?: unknown) => (await handlers.get(channel)!(event, args)) as Reply<unknown>;
  return { ipc, handlers, invoke };
}

/** A fake webContents: what it was sent, and whether it is gone. */
function fakeContents() {
  const sent: Array<[string, unknown]> = [];
  let destroyed = false;
  return { sent, send: (channel: string, payload: unknown) => void sent.push([channel, payload]), isDestroyed: () => destroyed, destroy: () => void (destroyed = true) };
}

describe('the IPC sender check', () => {
  const contents = {};
  const win = { isDestroyed: () => false, webContents: contents };
  // The packaged page is served on the app's own scheme (app-protocol.ts), no longer from file://.
  const ours = { sender: contents, senderFrame: { url: `${pageUrl}#/query` } };

  it('accepts our packaged page, in our window, with a hash or query', () => {
    expect(isOwnSender(ours, win, { pageUrl })).toBe(true);
    expect(isOwnSender({ ...ours, senderFrame: { url: `${pageUrl}?x=1` } }, win, { pageUrl })).toBe(true);
  });

  it('refuses another window, another file, the old file:// page, a web page, a missing frame and a destroyed window', () => {
    expect(isOwnSender({ ...ours, sender: {} }, win, { pageUrl })).toBe(false);
    expect(isOwnSender({ ...ours, senderFrame: { url: 'lookalike-app://app/other.html' } }, win, { pageUrl })).toBe(false);
    expect(isOwnSender({ ...ours, senderFrame: { url: pathToFileURL(rendererFile).href } }, win, { pageUrl })).toBe(false);
    expect(isOwnSender({ ...ours, senderFrame: { url: 'https://example.invalid/index.html' } }, win, { pageUrl })).toBe(false);
    expect(isOwnSender({ ...ours, senderFrame: null }, win, { pageUrl })).toBe(false);
    expect(isOwnSender(ours, { ...win, isDestroyed: () => true }, { pageUrl })).toBe(false);
  });

  it('in development accepts only the dev server, not the packaged page', () => {
    const dev = { pageUrl, devUrl: 'http://localhost:5173' };
    expect(isOwnSender({ sender: contents, senderFrame: { url: 'http://localhost:5173/#/train' } }, win, dev)).toBe(true);
    expect(isOwnSender(ours, win, dev)).toBe(false);
  });
});

describe('registerIpc', () => {
  it('serves every request of the contract, answers FORBIDDEN to a foreign page without running the handler, and unregisters', async () => {
    const { ipc, handlers, invoke } = fakeIpc();
    const ran: string[] = [];
    const services = Object.fromEntries(REQUEST_NAMES.map((name) => [name, (args: unknown) => (ran.push(name), { name, args })])) as unknown as Handlers;
    const ours = { sender: 'ours' };
    const unregister = registerIpc(ipc, services, (event) => event.sender === 'ours');
    expect([...handlers.keys()].sort()).toEqual([...REQUEST_NAMES].sort());
    expect(handlers.has('renderer:ready')).toBe(true);

    expect(await invoke('runs:get', ours, { runId: 3 })).toEqual({ ok: true, value: { name: 'runs:get', args: { runId: 3 } } });
    expect(await invoke('datasets:import', { sender: 'elsewhere' }, { folder: '/home' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'request from an unknown page' } });
    expect(ran).toEqual(['runs:get']);

    unregister();
    expect(handlers.size).toBe(0);
  });
});

describe('EventQueue', () => {
  it('holds events until the page is ready, delivers them in order, then sends directly', () => {
    const queue = new EventQueue();
    queue.emit('import:progress', { jobId: 'a', phase: 'scan', done: 1, total: 2 });
    queue.emit('import:done', { jobId: 'a', result: { pairs: 2 } as never });
    const page = fakeContents();
    expect(page.sent).toEqual([]);
    queue.ready(page);
    queue.emit('jobs:state', { jobId: 'a', kind: 'import', state: 'done' });
    expect(page.sent.map(([name]) => name)).toEqual(['import:progress', 'import:done', 'jobs:state']);
    expect(page.sent[0][1]).toEqual({ jobId: 'a', phase: 'scan', done: 1, total: 2 });
  });

  it('queues again while the page reloads or after it is destroyed, and delivers to the new page', () => {
    const queue = new EventQueue();
    const first = fakeContents();
    queue.ready(first);
    queue.detach();
    queue.emit('training:log', { jobId: 't', line: 'while reloading' });
    first.destroy();
    const second = fakeContents();
    queue.ready(second);
    second.destroy();
    queue.emit('training:log', { jobId: 't', line: 'window gone' });
    expect(first.sent).toEqual([]);
    expect(second.sent).toEqual([['training:log', { jobId: 't', line: 'while reloading' }]]);
    const third = fakeContents();
    queue.ready(third);
    expect(third.sent).toEqual([['training:log', { jobId: 't', line: 'window gone' }]]);
  });
});

describe('the sample dataset in the desktop app', () => {
  it('is in resources/samples/brands once installed, where electron-builder copies it', () => {
    const resourcesPath = path.resolve('/opt/Lookalike/resources');
    const seen: string[] = [];
    const dir = desktopSampleDir({ isPackaged: true, resourcesPath, appPath: path.join(resourcesPath, 'app.asar') }, (p) => (seen.push(p), true));
    expect(dir).toBe(path.join(resourcesPath, 'samples', 'brands'));
    expect(seen).toEqual([dir]);
  });

  it('is the project\'s samples/brands in development (the real folder), and absent when not shipped', () => {
    expect(desktopSampleDir({ isPackaged: false, resourcesPath: '/nowhere', appPath: path.resolve('.') })).toBe(path.resolve('samples', 'brands'));
    expect(desktopSampleDir({ isPackaged: true, resourcesPath: path.resolve('/nowhere'), appPath: '/nowhere' })).toBeUndefined();
  });
});

describe('quitCleanly', () => {
  function fakeApp() {
    const app = new EventEmitter() as EventEmitter & { quits: number; exited: boolean; quit(): void };
    app.quits = 0;
    app.exited = false;
    // Like Electron: quit() emits before-quit; unless a listener prevents it, the app is gone.
    app.quit = () => {
      app.quits++;
      let prevented = false;
      app.emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) app.exited = true;
    };
    return app;
  }

  it('holds the first quit until the jobs are disposed and the catalog closed, then quits; SIGTERM and SIGINT quit too', async () => {
    const app = fakeApp();
    const signals = new EventEmitter();
    let finishDispose!: () => void;
    const steps: string[] = [];
    quitCleanly(app, signals, () => new Promise<void>((resolve) => (steps.push('dispose'), (finishDispose = () => resolve()))), () => steps.push('close'));
    signals.emit('SIGTERM');
    expect(app.exited).toBe(false);
    app.quit(); // a second quit while stopping changes nothing
    expect(steps).toEqual(['dispose']);
    finishDispose();
    await new Promise((r) => setTimeout(r, 0));
    expect(steps).toEqual(['dispose', 'close']);
    expect(app.exited).toBe(true);
    expect(signals.listenerCount('SIGINT')).toBe(1);
  });
});
