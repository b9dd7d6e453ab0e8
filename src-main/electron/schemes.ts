import type { Protocol } from 'electron';

/** The scheme the app's own page is served on: `lookalike-app://app/index.html` (not file://, see app-protocol.ts). */
export const APP_SCHEME = 'lookalike-app';
/** The scheme the preload's `media.url()` points at: `lookalike-media://thumb/12`, `lookalike-media://image/12`. */
export const MEDIA_SCHEME = 'lookalike-media';

/**
 * Declares the app's schemes before the app is ready (Electron's rule, and it may be done only once, so both are
 * declared here): standard, so URLs parse as host + path and the page has an origin of its own; secure, so a
 * page with a strict CSP may load from them. Neither gets a CSP bypass or service workers.
 */
export function registerSchemes(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}
