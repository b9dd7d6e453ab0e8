import type { ServerResponse } from 'node:http';

/**
 * The app page's Content-Security-Policy: our own scripts and styles only, images from our origin (the media
 * endpoints) or data:/blob: URLs, and network access to our origin's HTTP and WebSocket, nothing else. The
 * WebSocket origins are named because older CSP implementations did not let 'self' cover ws:.
 */
export function appCsp(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Vue's scoped styles and style bindings are inline.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * The policy of every other response (media, errors). `sandbox` matters for catalog images: an SVG opened as a
 * document would otherwise run its scripts on our origin, where the token lives.
 */
export const INERT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox";

/** Headers every response gets. */
const COMMON_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  // The page URL holds the token: never send it on as a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Other origins (other local servers included) may not even embed our images.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Sends a complete response; the body is left out for HEAD requests. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string, head = false): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Security-Policy': INERT_CSP, 'Content-Length': String(bytes.length), ...headers });
  res.end(head ? undefined : bytes);
}

/** A short plain-text answer (errors). */
export function sendText(res: ServerResponse, status: number, text: string, head = false): void {
  send(res, status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, `${text}\n`, head);
}
