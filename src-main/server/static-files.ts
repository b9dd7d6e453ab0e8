import fs from 'node:fs/promises';
import path from 'node:path';
import { send, sendText } from './http-responses.ts';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lookalike: the app is not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}code{background:#eef;padding:.1rem .3rem}</style>
</head><body>
<h1>The app's pages are not built yet</h1>
<p>The server is running, but the user interface it serves has not been built.
In the project folder, run <code>npm run build:app</code>, then reload this page.</p>
</body></html>
`;

/** What the static part of the server answers with. */
export interface StaticFilesOptions {
  /** The built renderer (`out/renderer`). */
  root: string;
  /** The page's Content-Security-Policy header. */
  csp: string;
}

/**
 * Serves the built renderer: files under `root` only (`..`, encoded or not, cannot leave it), `index.html` for
 * `/`, and a 503 page saying how to build the app when it is not built. Hashed assets are cached; the page itself
 * never is (the app has no client-side routes, so there is no fallback to the page for unknown paths).
 */
export async function serveStatic(res: ServerResponse, pathname: string, head: boolean, opts: StaticFilesOptions): Promise<void> {
  const root = path.resolve(opts.root);
  const index = path.join(root, 'index.html');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return sendText(res, 400, 'bad request: the path is not valid URL encoding', head);
  }
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (decoded.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) return sendText(res, 404, 'not found', head);

  const served = file === root ? index : file;
  const bytes = await readFile(served);
  if (!bytes) {
    const built = served !== index && (await isFile(index));
    if (built) return sendText(res, 404, 'not found', head);
    return send(res, 503, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, NOT_BUILT_PAGE, head);
  }
  const isPage = served === index;
  const immutable = served.startsWith(path.join(root, 'assets') + path.sep);
  send(
    res,
    200,
    {
      'Content-Type': TYPES[path.extname(served).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-store',
      ...(isPage ? { 'Content-Security-Policy': opts.csp } : {}),
    },
    bytes,
    head,
  );
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

async function readFile(file: string): Promise<Buffer | undefined> {
  return (await isFile(file)) ? fs.readFile(file).catch(() => undefined) : undefined;
}
