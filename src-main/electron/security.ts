/**
 * The desktop app's guards, as small functions over the Electron objects they configure (passed in, so tests give
 * fakes: the Electron binary does not run on the project's machines).
 */
import type { App, Session, WebContents } from 'electron';
import { APP_SCHEME, MEDIA_SCHEME } from './schemes.ts';

/** The app's own page. */
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * electron-vite's dev server, from ELECTRON_RENDERER_URL — only in an unpackaged app. The page gets the whole
 * API, so an installed app must never take its page from an environment variable; in development it must be a
 * server on this machine.
 */
export function devRendererUrl(app: Pick<App, 'isPackaged'>, env: Record<string, string | undefined>): string | undefined {
  const url = env.ELECTRON_RENDERER_URL;
  if (!url || app.isPackaged) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !LOOPBACK.has(parsed.hostname)) {
    throw new Error(`ELECTRON_RENDERER_URL must be a dev server on this machine (http://localhost:PORT), not ${url}`);
  }
  return parsed.href;
}

/** Whether a URL is the app's own page (or the dev server's, in development): the only place the window may go. */
export function appPageMatcher(devUrl: string | undefined): (url: string) => boolean {
  // Scheme + host, not URL.origin: Node gives custom schemes the origin "null" (Chromium knows ours is standard).
  const originOf = (url: string) => {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  };
  const home = originOf(devUrl ?? APP_ORIGIN);
  return (url) => {
    try {
      return originOf(url) === home;
    } catch {
      return false;
    }
  };
}

/**
 * The content security policy of the app's page, also sent with every response (index.html carries its own):
 * the dev server needs inline scripts (Vite's HMR client) and a WebSocket to itself.
 */
export function appCsp(dev: boolean): string {
  const img = `img-src 'self' ${MEDIA_SCHEME}: data: blob:`;
  return dev
    ? `default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; ${img}; connect-src 'self' ws:`
    : `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; ${img}; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'`;
}

/**
 * Refuses every permission a page can ask for (camera, microphone, geolocation, notifications, HID/USB/serial
 * devices…): Lookalike needs none, and a page that asks is not behaving as ours does.
 */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

type Guarded = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** No navigation or redirect away from the app's page, no new windows, no <webview>. */
export function lockNavigation(contents: Guarded, isAppPage: (url: string) => boolean): void {
  const stayHome = (event: { preventDefault(): void; url?: string }, url?: string) => {
    if (!isAppPage(event.url ?? url ?? '')) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-frame-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Every guard, on the app's session and on every page the app ever creates (windows, frames, devtools). */
export function installSecurity(app: Pick<App, 'on'>, session: Parameters<typeof denyAllPermissions>[0], isAppPage: (url: string) => boolean): void {
  denyAllPermissions(session);
  app.on('web-contents-created', (_event, contents) => lockNavigation(contents, isAppPage));
}
