import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser, startApp, type Browser } from './helpers/app-harness.ts';

let browser: Browser;
beforeAll(async () => (browser = await launchBrowser()));
afterAll(async () => browser?.close());

/** Another local web server (any app on 127.0.0.1), recording what the browser sends it. */
async function otherLoopbackServer(): Promise<{ port: number; seen: Array<{ url: string; headers: IncomingHttpHeaders }>; close(): Promise<void> }> {
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>another local app</title><img src="/pixel.png"><script>fetch("/api", { credentials: "include" })</script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the access token stays with the app', () => {
  it('is never sent to another server on 127.0.0.1 that the same browser opens afterwards', async () => {
    const app = await startApp(browser);
    const other = await otherLoopbackServer();
    try {
      // The app is really open and talking to its server (thumbnails, WebSocket) before the other page loads.
      await app.page.getByText('No datasets yet').waitFor({ state: 'visible', timeout: 10_000 });
      const page2 = await app.context.newPage();
      await page2.goto(`http://127.0.0.1:${other.port}/`, { waitUntil: 'load' });
      await page2.waitForTimeout(200); // let the page's own fetch reach the server; not a budget, just ordering
      await page2.goto(`http://localhost:${other.port}/again`, { waitUntil: 'load' });
      expect(other.seen.length).toBeGreaterThanOrEqual(2);
      for (const r of other.seen) {
        expect(r.headers.cookie, r.url).toBeUndefined();
        expect(JSON.stringify(r), r.url).not.toContain(app.server.token);
      }
      // Nor does the browser keep the token anywhere another origin's page could read.
      const cookies = await app.context.cookies();
      expect(JSON.stringify(cookies)).not.toContain(app.server.token);
      app.expectNoErrors();
    } finally {
      await other.close();
      await app.close();
    }
  });

  it('a WebSocket without an Origin header and without the token gets nothing', async () => {
    const app = await startApp(browser);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        // The ws package sends no Origin header: a local script, not a browser page.
        const ws = new WebSocket(`ws://127.0.0.1:${app.server.port}/ws`);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', (e) => {
          if (!/Unexpected server response/.test(e.message)) reject(e);
        });
      });
      expect(status).toBe(403);
    } finally {
      await app.close();
    }
  });
});
