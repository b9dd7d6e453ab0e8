import { buildApi, type LookalikeApi } from '../../src-shared/api.ts';
import { tokenFromLocation, WebTransport } from './web-transport.ts';

let webApi: LookalikeApi | undefined;
let webTransport: WebTransport | undefined;

/**
 * The API the stores use: the preload's in the desktop app; in a browser (`lookalike serve`), the same grouped
 * API over a WebSocket to the page's own origin, with the token from the page's address.
 */
export function getApi(): LookalikeApi {
  if (window.lookalike) return window.lookalike;
  if (webApi) return webApi;
  const token = tokenFromLocation(window.location);
  if (!token) {
    throw new Error('Lookalike API not available: open this page from the desktop app, or with the address (including ?token=…) that `lookalike serve` printed');
  }
  webTransport = new WebTransport({ origin: window.location.origin, token });
  webApi = buildApi(webTransport);
  return webApi;
}

/**
 * The browser connection, for a UI that shows "reconnecting…" (undefined in the desktop app, where there is no
 * connection to lose, and before the first getApi()).
 */
export function getWebConnection(): Pick<WebTransport, 'state' | 'onStateChange'> | undefined {
  return webTransport;
}
