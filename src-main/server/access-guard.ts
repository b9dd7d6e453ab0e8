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
 * The page URL carries the token (`/?token=…`). The built page loads its scripts by relative URLs that cannot
 * carry it, so the first authorised page load also sets it as an HttpOnly, SameSite=Strict cookie, which the
 * browser sends back with those requests and no cross-site page can make it send. The WebSocket accepts only
 * the token in its URL, from our own origin: cookies ride along on cross-origin WebSocket handshakes, so they
 * prove nothing there.
 */
export class AccessGuard {
  private readonly tokenBytes: Buffer;
  readonly cookieName: string;
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(readonly token: string, port: number) {
    this.tokenBytes = Buffer.from(token);
    // One cookie per port: cookies ignore ports, and two servers must not overwrite each other's token.
    this.cookieName = `lookalike_token_${port}`;
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  /** An HTTP request: our Host, and the token in `?token=` or in our cookie. */
  allowsHttp(req: IncomingMessage, url: URL): boolean {
    return this.hostAllowed(req) && (this.matches(url.searchParams.get('token')) || this.matches(this.cookieOf(req)));
  }

  /** A WebSocket upgrade: our Host, no foreign Origin, and the token in `?token=`. */
  allowsUpgrade(req: IncomingMessage, url: URL): boolean {
    const origin = req.headers.origin;
    return this.hostAllowed(req) && (origin === undefined || this.origins.has(origin)) && this.matches(url.searchParams.get('token'));
  }

  /** The Set-Cookie value that lets the page's own assets through. */
  cookie(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  /** True when the request already carries our cookie. */
  hasCookie(req: IncomingMessage): boolean {
    return this.matches(this.cookieOf(req));
  }

  private hostAllowed(req: IncomingMessage): boolean {
    return this.hosts.has(String(req.headers.host ?? '').toLowerCase());
  }

  private cookieOf(req: IncomingMessage): string | null {
    for (const part of String(req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName) return part.slice(eq + 1).trim();
    }
    return null;
  }

  private matches(candidate: string | null): boolean {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === this.tokenBytes.length && timingSafeEqual(given, this.tokenBytes);
  }
}
