import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApi } from '../../src-shared/api.ts';
import { RemoteError } from '../../src-shared/contract.ts';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { startServer, type RunningServer } from '../../src-main/server/start-server.ts';
import { WebTransport, type ConnectionState, type SocketLike } from '../../src-renderer/src/web-transport.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
const open: WebTransport[] = [];

/** The browser transport, on the `ws` package instead of the browser's WebSocket. */
function transport(opts: { origin?: string; token?: string; timeoutMs?: number } = {}): WebTransport {
  const t = new WebTransport({
    origin: opts.origin ?? server.origin,
    token: opts.token ?? server.token,
    timeoutMs: opts.timeoutMs,
    openSocket: (url) => {
      const ws = new WebSocket(url);
      // A browser's WebSocket reports failures through onclose only; `ws` also emits 'error', which must be heard.
      ws.on('error', () => {});
      return ws as unknown as SocketLike;
    },
  });
  open.push(t);
  return t;
}

async function rejection(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (e) {
    return e as RemoteError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  tmp = tempDir('lookalike-transport-');
  const catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  const db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'seed'), 2), { name: 'seed' });
  db.close();
  server = await startServer({ catalogPath, host: '127.0.0.1', staticDir: tmp.dir, maxMessageBytes: 16 * 1024 });
});
afterAll(async () => {
  for (const t of open) t.close();
  await server?.close();
  tmp.cleanup();
});

describe('the browser transport (web-transport.ts) against the real server', () => {
  it('gives the grouped API: results, errors with their code, events, media URLs with the token', async () => {
    const api = buildApi(transport());
    expect((await api.datasets.list()).map((d) => d.name)).toEqual(['seed']);
    const err = await rejection(api.runs.get({ runId: 999 }));
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.code).toBe('RUN_NOT_FOUND');

    const done = new Promise<string>((resolve) => api.events.on('import:done', (p) => resolve(p.jobId)));
    const { jobId } = await api.datasets.import({ folder: await makeTinyPairedFolder(path.join(tmp.dir, 'more'), 2), name: 'more' });
    expect(await done).toBe(jobId);

    const url = api.media.url('thumb', 1);
    expect(url).toBe(`/media/thumb/1?token=${encodeURIComponent(server.token)}`);
    const res = await fetch(`${server.origin}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
  });

  it('answers a request cut off by a dropped connection with DISCONNECTED, then reconnects by itself', async () => {
    const t = transport();
    const api = buildApi(t);
    const states: ConnectionState[] = [];
    t.onStateChange((s) => states.push(s));
    await api.datasets.list();
    // Over the server's message limit: the server closes this connection.
    const err = await rejection(api.query.start({ image: { bytesBase64: 'A'.repeat(20 * 1024), name: 'big.png' } }));
    expect(err.code).toBe('DISCONNECTED');
    // Said as what happened, not as a network failure.
    expect(err.message).toMatch(/^query:start: the request was larger than the server accepts/);
    expect((await api.datasets.list()).length).toBeGreaterThan(0);
    expect(states).toEqual(['open', 'closed', 'connecting', 'open']);
  });

  it('times out with a clear error when the server is gone, and close() answers what still waits', async () => {
    const gone = await startServer({ catalogPath: path.join(tmp.dir, 'gone.sqlite'), host: '127.0.0.1', staticDir: tmp.dir });
    const { origin, token } = gone;
    await gone.close();
    const t = transport({ origin, token, timeoutMs: 300 });
    const api = buildApi(t);
    const err = await rejection(api.datasets.list());
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/datasets:list timed out after 300 ms: the server could not be reached.*lookalike serve/);

    const slow = buildApi(transport({ origin, token, timeoutMs: 60_000 }));
    const pending = rejection(slow.runs.list({}));
    open.at(-1)!.close();
    expect((await pending).code).toBe('DISCONNECTED');
  });
});
