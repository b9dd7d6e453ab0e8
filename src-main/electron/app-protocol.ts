import fs from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_SCHEME } from './schemes.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/**
 * The file of the built renderer a `lookalike-app://app/…` URL names, or undefined when it names anything else
 * (another host, a path that climbs out of the renderer's folder).
 */
export function resolveAppFile(rendererDir: string, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.hostname !== 'app') return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${rel === '/' ? '/index.html' : rel}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}

/**
 * Serves the built renderer on `lookalike-app://app/` instead of file://: the page gets an origin of its own
 * (file:// pages share one, and can read other files), and every answer carries the CSP.
 */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(rendererDir, csp, request));
}

/** One answer of the app's scheme (exported for tests: Electron's `protocol.handle` callback). */
export async function serveAppFile(rendererDir: string, csp: string, request: Request): Promise<Response> {
  const headers = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': csp };
  const file = resolveAppFile(rendererDir, request.url);
  if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) return new Response('not found', { status: 404, headers });
  try {
    const body = await fs.readFile(file);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: { ...headers, 'Content-Type': type } });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}
