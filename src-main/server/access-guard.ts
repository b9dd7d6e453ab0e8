import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh access token: 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Who may talk to the local server. Binding to 127.0.0.1 keeps other machines out; the token keeps out other
 * local users and any web page the browser happens to show (which can reach 127.0.0.1 too); the Host check
 * defeats DNS rebinding (a hostile name resolving to 127.0.0.1 is still the wrong Host).
 *
 * The token travels only in URLs the page builds itself: the page address (`/?token=…`), the WebSocket's and
 * every media URL's `?token=`. No cookie carries it: cookies ignore ports, so a cookie set by this server would be
 * sent to every other server on 127.0.0.1 the user ever opens, which could then replay it. The page's scripts
 * and styles (loaded by relative URLs that cannot carry the token) are the public build output, so they need
 * only the Host check.
 */
export class AccessGuard {
  private readonly tokenBytes: Buffer;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(readonly token: string, port: number) {
    this.tokenBytes = Buffer.from(token);
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  /** A request for something anyone may fetch (the built scripts): our Host is enough. */
  allowsPublic(req: IncomingMessage): boolean {
    return this.hostAllowed(req);
  }

  /** An HTTP request for the page or the catalog's media: our Host, and the token in `?token=`. */
  allowsHttp(req: IncomingMessage, url: URL): boolean {
    return this.hostAllowed(req) && this.matches(url.searchParams.get('token'));
  }

  /** A WebSocket upgrade: our Host, no foreign Origin, and the token in `?token=`. */
  allowsUpgrade(req: IncomingMessage, url: URL): boolean {
    const origin = req.headers.origin;
    return this.hostAllowed(req) && (origin === undefined || this.origins.has(origin)) && this.matches(url.searchParams.get('token'));
  }

  private hostAllowed(req: IncomingMessage): boolean {
    return this.hosts.has(String(req.headers.host ?? '').toLowerCase());
  }

  private matches(candidate: string | null): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.tokenBytes.length && timingSafeEqual(given, this.tokenBytes);
  }
}
