import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { openCatalog } from '../catalog/open-catalog.ts';
import { createServices } from '../handlers/all-handlers.ts';
import { dispatch } from '../handlers/dispatch.ts';
import type { EventName, Events } from '../../src-shared/contract.ts';
import { AccessGuard, newToken } from './access-guard.ts';
import { appCsp, sendText } from './http-responses.ts';
import { isMediaPath, serveMedia } from './media-route.ts';
import { serveStatic } from './static-files.ts';
import { WS_PATH } from '../../src-shared/wire-protocol.ts';
import { ARG_LIMITS } from '../../src-shared/contract-schemas.ts';
import { WsBridge } from './ws-bridge.ts';

/** How to start the local server. */
export interface ServerOptions {
  /** The catalog file the services use. */
  catalogPath: string;
  /** The port; 0 or absent: a free port chosen by the system. */
  port?: number;
  /** Only the loopback interface: other machines can never connect. */
  host?: '127.0.0.1';
  /** The built renderer to serve (`out/renderer`). */
  staticDir: string;
  /** The largest WebSocket message accepted (default: the largest query-image upload plus room for the rest); a bigger one closes the connection with 1009. */
  maxMessageBytes?: number;
}

/** A running local server. */
export interface RunningServer {
  /** The page to open, token included: `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  /** The base URL without the token: `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  token: string;
  /**
   * Cancels every job and waits for each to end (an import leaves the catalog as it was, a training run is left
   * `cancelled` and resumable), stops the query worker, disconnects every page, stops listening, closes the catalog.
   */
  close(): Promise<void>;
}

/** Uploads of query images arrive as base64 inside one message: room for the largest upload the contract allows, not for abuse. */
const DEFAULT_MAX_MESSAGE_BYTES = ARG_LIMITS.uploadBase64Chars + 64 * 1024;

/**
 * Starts the local web server: the built renderer, the contract over a WebSocket (`/ws`), and the catalog's
 * images (`/media/thumb/ID`, `/media/image/ID`), on 127.0.0.1 only and behind a random token that every request
 * must carry. Its services are built exactly as the desktop app's (`createServices`), with events broadcast to
 * every connected page.
 */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the local server listens on 127.0.0.1 only, not ${String(host)}`);
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port number: ${port}`);

  const db = openCatalog(opts.catalogPath);
  const token = newToken();
  // The bridge exists before the services (they emit through it) and dispatches to them once they exist.
  const bridge = new WsBridge((name, args) => dispatch(services.handlers, name, args));
  const services = createServices({
    db,
    catalogPath: opts.catalogPath,
    transport: 'web',
    emit: <K extends EventName>(name: K, payload: Events[K]) => bridge.broadcast(name, payload),
    // No native dialogs in a browser: the page asks for a path or an upload instead.
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });

  let guard: AccessGuard | undefined;
  const http = createServer((req, res) => {
    handleHttp(req, res).catch((e) => {
      if (!res.headersSent) sendText(res, 500, `internal error: ${(e as Error).message}`);
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const head = req.method === 'HEAD';
    // The page and the media need the token; the built scripts and styles are public (see AccessGuard).
    const secret = url.pathname === '/' || url.pathname === '/index.html' || isMediaPath(url.pathname);
    if (!guard || !(secret ? guard.allowsHttp(req, url) : guard.allowsPublic(req))) {
      return sendText(res, 403, 'forbidden: open the address that `lookalike serve` printed; it carries the access token', head);
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    if (isMediaPath(url.pathname)) return serveMedia(res, db, url.pathname, head);
    return serveStatic(res, url.pathname, head, { root: opts.staticDir, csp: appCsp(actualPort) });
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!guard?.allowsUpgrade(req, url)) return refuse('403 Forbidden');
    if (url.pathname !== WS_PATH) return refuse('404 Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => bridge.attach(ws));
  });
  // A client that resets mid-request must not take the server down.
  http.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once('error', (e: NodeJS.ErrnoException) => {
      void services.dispose();
      db.close();
      reject(e.code === 'EADDRINUSE' ? Object.assign(new Error(`port ${port} is already in use; choose another with --port, or leave it out for a free one`), { code: 'PORT_IN_USE' }) : e);
    });
    http.listen(port, host, () => resolve());
  });
  const actualPort = (http.address() as AddressInfo).port;
  guard = new AccessGuard(token, actualPort);
  const origin = `http://127.0.0.1:${actualPort}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port: actualPort,
    token,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        // Pages still connected hear every job end before the goodbye.
        await services.dispose();
        await bridge.close();
        wss.close();
        http.closeAllConnections();
        await stopped;
        db.close();
      })()),
  };
}
