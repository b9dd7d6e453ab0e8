import { describe, expect, it } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { APP_PAGE_URL, appPageMatcher, devRendererUrl, denyAllPermissions, installSecurity, lockNavigation } from '../../src-main/electron/security.ts';
import { FakeEmitter, FakeSession, FakeWebContents, navigation } from './electron-fakes.ts';

describe('Electron: where the page comes from', () => {
  it('ignores ELECTRON_RENDERER_URL in the packaged app: the page that gets the whole API is always its own', () => {
    expect(devRendererUrl({ isPackaged: true }, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toBeUndefined();
    expect(devRendererUrl({ isPackaged: true }, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBeUndefined();
  });

  it('takes the dev server in development, only on this machine', () => {
    expect(devRendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).toBe('http://localhost:5173/');
    expect(devRendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' })).toBe('http://127.0.0.1:5173/');
    expect(devRendererUrl({ isPackaged: false }, {})).toBeUndefined();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'http://localhost.evil.example:5173']) {
      expect(() => devRendererUrl({ isPackaged: false }, { ELECTRON_RENDERER_URL: url }), url).toThrow(/dev server on this machine/);
    }
  });
});

describe('Electron: permissions, navigation and windows', () => {
  it('denies every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'usb']) {
      const answers: boolean[] = [];
      session.permissionRequest!({}, permission, (granted: boolean) => answers.push(granted), {});
      expect(answers, permission).toEqual([false]);
      expect(session.permissionCheck!({}, permission, 'lookalike-app://app', {}), permission).toBe(false);
    }
    expect(session.devicePermission!({ deviceType: 'usb' })).toBe(false);
  });

  it('lets the window go nowhere but the app’s own page, and opens no new window or webview', () => {
    const contents = new FakeWebContents();
    lockNavigation(contents as unknown as WebContents, appPageMatcher(undefined));
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      for (const url of ['https://evil.example/', 'file:///etc/passwd', 'lookalike-media://thumb/1', 'lookalike-app://other/index.html', 'garbage']) {
        const nav = navigation(url);
        contents.emit(event, nav, url);
        expect(nav.prevented, `${event} ${url}`).toBe(true);
      }
      const home = navigation(APP_PAGE_URL);
      contents.emit(event, home, APP_PAGE_URL);
      expect(home.prevented, `${event} to the app's page`).toBe(false);
    }
    expect(contents.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: APP_PAGE_URL })).toEqual({ action: 'deny' });
    const webview = navigation('about:blank');
    contents.emit('will-attach-webview', webview);
    expect(webview.prevented).toBe(true);
  });

  it('in development, the dev server’s origin is the app’s page', () => {
    const isAppPage = appPageMatcher('http://localhost:5173/');
    expect(isAppPage('http://localhost:5173/index.html')).toBe(true);
    expect(isAppPage('http://localhost:5174/')).toBe(false);
    expect(isAppPage(APP_PAGE_URL)).toBe(false);
  });

  it('guards every page the app creates, not only the main window', () => {
    const app = new FakeEmitter();
    const session = new FakeSession();
    installSecurity(app as unknown as App, session as unknown as Session, appPageMatcher(undefined));
    expect(session.permissionRequest).toBeDefined();
    const popup = new FakeWebContents();
    app.emit('web-contents-created', {}, popup);
    const nav = navigation('https://evil.example/');
    popup.emit('will-navigate', nav, nav.url);
    expect(nav.prevented).toBe(true);
    expect(popup.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});
