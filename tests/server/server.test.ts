import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { listPairs } from '../../src-main/catalog/datasets.ts';
import { imageFileCandidates } from '../../src-main/catalog/image-files.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { startServer, type RunningServer } from '../../src-main/server/start-server.ts';
import type { DatasetSummary, PairRow } from '../../src-shared/catalog-types.ts';
import { tempDir, writeTree } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { rawGet, TestClient, wsHandshakeStatus } from './server-client.ts';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let pairs: PairRow[];
let catalogPath: string;
const wsUrl = (token = server.token) => `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(token)}`;
const withToken = (p: string) => `${p}${p.includes('?') ? '&' : '?'}token=${server.token}`;

beforeAll(async () => {
  tmp = tempDir('lookalike-server-');
  catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  const db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'seed'), 2), { name: 'seed' });
  pairs = listPairs(db, 1);
  db.close();
  const staticDir = path.join(tmp.dir, 'renderer');
  writeTree(staticDir, { 'index.html': '<!doctype html><title>Lookalike</title><script type="module" src="./assets/app.js"></script>', 'assets/app.js': 'console.log(1)' });
  server = await startServer({ catalogPath, host: '127.0.0.1', staticDir, maxMessageBytes: 64 * 1024 });
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

describe('lookalike serve: access', () => {
  it('answers 403 to the page and media without the token, and serves the page with it under a strict CSP', async () => {
    for (const p of ['/', '/index.html', `/media/thumb/${pairs[0].left.imageId}`, `/media/image/${pairs[0].left.imageId}`, '/?token=wrong', `/?token=${server.token}x`]) {
      const r = await rawGet(server.port, p);
      expect(r.status, p).toBe(403);
      expect(r.body.toString(), p).not.toContain(server.token);
    }
    const page = await rawGet(server.port, withToken('/'));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).not.toMatch(/unsafe-eval|\*/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('sets no cookie (cookies ignore ports: every other server on 127.0.0.1 would receive it) and never reads one', async () => {
    const page = await rawGet(server.port, withToken('/'));
    expect(page.headers['set-cookie']).toBeUndefined();
    // The old cookie, replayed by another local server, opens nothing.
    const cookie = `lookalike_token_${server.port}=${server.token}`;
    expect((await rawGet(server.port, '/', { cookie })).status).toBe(403);
    expect((await rawGet(server.port, `/media/thumb/${pairs[0].left.imageId}`, { cookie })).status).toBe(403);
    // The built scripts are public output: served without a token, still only under our Host.
    expect((await rawGet(server.port, '/assets/app.js')).status).toBe(200);
    expect((await rawGet(server.port, '/assets/app.js', { host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('refuses a foreign Host even with the token (DNS rebinding)', async () => {
    const r = await rawGet(server.port, withToken('/'), { host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
  });

  it('refuses a WebSocket without the right token or from another origin', async () => {
    // No Origin header (not a browser) and no token: nothing; a replayed cookie does not count either.
    expect(await wsHandshakeStatus(`ws://127.0.0.1:${server.port}/ws`)).toBe(403);
    expect(await wsHandshakeStatus(`ws://127.0.0.1:${server.port}/ws`, { cookie: `lookalike_token_${server.port}=${server.token}` })).toBe(403);
    expect(await wsHandshakeStatus(wsUrl('wrong'))).toBe(403);
    expect(await wsHandshakeStatus(wsUrl(), { origin: 'http://evil.example' })).toBe(403);
    expect(await wsHandshakeStatus(wsUrl(), { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
  });

  it('listens on 127.0.0.1 only: the other interfaces of this machine refuse connections', async () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const others = ['::1', ...Object.values(os.networkInterfaces()).flat().filter((a) => a && !a.internal).map((a) => a!.address)];
    for (const address of others) {
      const connected = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: address, port: server.port, timeout: 2000 });
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
        socket.once('timeout', () => (socket.destroy(), resolve(false)));
      });
      expect(connected, address).toBe(false);
    }
    await expect(startServer({ catalogPath, host: '0.0.0.0' as '127.0.0.1', staticDir: tmp.dir })).rejects.toThrow(/127\.0\.0\.1 only/);
  });
});

describe('lookalike serve: the contract over WebSocket', () => {
  it('runs an import as a job: every page gets its progress and outcome, and datasets:list then shows it', async () => {
    const a = await TestClient.connect(wsUrl());
    const b = await TestClient.connect(wsUrl());
    const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'fresh'), 3);
    const started = await a.request('datasets:import', { folder, name: 'fresh' });
    expect(started.ok).toBe(true);
    const { jobId } = (started as { value: { jobId: string } }).value;
    const done = await b.event('import:done', (p) => p.jobId === jobId);
    expect(done.result).toMatchObject({ dataset: { name: 'fresh' }, pairs: 3, added: 3 });
    expect(a.events.some((e) => e.event === 'import:progress' && (e.payload as { jobId: string }).jobId === jobId)).toBe(true);
    expect(b.events.some((e) => e.event === 'import:progress')).toBe(true);

    const list = await a.request('datasets:list');
    expect(list.ok && (list.value as DatasetSummary[]).map((d) => [d.name, d.pairs])).toEqual(
      expect.arrayContaining([
        ['fresh', 3],
        ['seed', 2],
      ]),
    );
    a.close();
    b.close();
  });

  it('sends errors back as data with their code', async () => {
    const c = await TestClient.connect(wsUrl());
    expect(await c.request('runs:get', { runId: 4242 })).toMatchObject({ ok: false, error: { code: 'RUN_NOT_FOUND' } });
    expect(await c.request('files:delete', { path: '/' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    const failed = await c.request('datasets:import', { folder: path.join(tmp.dir, 'no-such-folder') });
    const { jobId } = (failed as { value: { jobId: string } }).value;
    const event = await c.event('import:failed', (p) => p.jobId === jobId);
    expect(event.error.message).toMatch(/no-such-folder/);
    c.close();
  });

  it('answers malformed messages with BAD_MESSAGE and keeps serving', async () => {
    const c = await TestClient.connect(wsUrl());
    for (const frame of ['not json {', '[1,2]', '"hello"', '{"name":"datasets:list"}', Buffer.from([1, 2, 3])]) {
      const r = await c.sendRaw(frame);
      expect(r.reply, String(frame)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    }
    expect(await c.sendRaw('{"id":7,"args":{}}')).toMatchObject({ id: 7, reply: { ok: false, error: { code: 'BAD_MESSAGE' } } });
    expect(await c.request('datasets:list')).toMatchObject({ ok: true });

    // A message over the size limit closes that connection (1009), not the server.
    const closed = c.closed();
    c.ws.send(JSON.stringify({ id: 99, name: 'datasets:list', args: { pad: 'x'.repeat(70 * 1024) } }));
    expect(await closed).toBe(1009);
    const again = await TestClient.connect(wsUrl());
    expect(await again.request('datasets:list')).toMatchObject({ ok: true });
    again.close();
  });
});

describe('lookalike serve: media', () => {
  it('serves a thumbnail as WebP and the original file with its type', async () => {
    const { imageId, path: file } = pairs[0].left;
    const thumb = await rawGet(server.port, withToken(`/media/thumb/${imageId}`));
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.body.subarray(0, 4).toString()).toBe('RIFF');
    expect(thumb.body.subarray(8, 12).toString()).toBe('WEBP');
    expect(thumb.headers['content-security-policy']).toMatch(/sandbox/);

    const original = await rawGet(server.port, withToken(`/media/image/${pairs[0].right.imageId}`));
    expect(original.status).toBe(200);
    expect(original.headers['content-type']).toBe('image/jpeg');
    expect(original.body.equals(fs.readFileSync(pairs[0].right.path))).toBe(true);
    expect(fs.readFileSync(file).length).toBeGreaterThan(0);
  });

  it('refuses unknown ids, non-numeric ids and paths that try to leave the catalog', async () => {
    const refused = [
      '/media/thumb/999999',
      '/media/image/999999',
      '/media/thumb/abc',
      '/media/thumb/-1',
      '/media/thumb/01',
      '/media/thumb/1.5',
      '/media/thumb/1e2',
      '/media/video/1',
      '/media/image/1/extra',
      '/media/image/..%2f..%2f..%2fetc%2fpasswd',
      '/media/image/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/media/image/../../../../etc/passwd',
      '/../../../../etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    ];
    for (const p of refused) {
      const r = await rawGet(server.port, withToken(p));
      expect(r.status, p).toBe(404);
      expect(r.body.toString(), p).not.toMatch(/root:/);
    }
  });

  it('serves the original from another copy when one changed on disk, and nothing once every copy changed', async () => {
    // The same logos imported again from another folder: content-addressed, so the same image ids, two copies each.
    const c = await TestClient.connect(wsUrl());
    const twin = await makeTinyPairedFolder(path.join(tmp.dir, 'twin'), 2);
    const { jobId } = ((await c.request('datasets:import', { folder: twin, name: 'twin' })) as { value: { jobId: string } }).value;
    await c.event('import:done', (p) => p.jobId === jobId);
    c.close();
    const { imageId, path: seedCopy } = pairs[1].left;
    const twinCopy = path.join(twin, 'left', path.basename(seedCopy));
    const original = fs.readFileSync(seedCopy);

    fs.writeFileSync(twinCopy, 'no longer the imported image');
    const fromSeed = await rawGet(server.port, withToken(`/media/image/${imageId}`));
    expect(fromSeed.status).toBe(200);
    expect(fromSeed.body.equals(original)).toBe(true);

    const db = openCatalog(catalogPath);
    const copies = imageFileCandidates(db, imageId);
    db.close();
    expect(copies).toEqual(expect.arrayContaining([seedCopy, twinCopy]));
    for (const copy of copies) fs.writeFileSync(copy, 'not this one either');
    expect((await rawGet(server.port, withToken(`/media/image/${imageId}`))).status).toBe(404);
    // The thumbnail lives in the catalog, so it still shows.
    expect((await rawGet(server.port, withToken(`/media/thumb/${imageId}`))).status).toBe(200);
  });
});

describe('lookalike serve: pages and shutdown', () => {
  it('says how to build the app when it is not built (503)', async () => {
    const bare = await startServer({ catalogPath, host: '127.0.0.1', staticDir: path.join(tmp.dir, 'not-built') });
    try {
      const r = await rawGet(bare.port, `/?token=${bare.token}`);
      expect(r.status).toBe(503);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body.toString()).toContain('npm run build:app');
    } finally {
      await bare.close();
    }
  });

  it('close() cancels a running import (the page hears it) before saying goodbye; the catalog is unchanged', async () => {
    const own = path.join(tmp.dir, 'closing.sqlite');
    const other = await startServer({ catalogPath: own, host: '127.0.0.1', staticDir: tmp.dir });
    const c = await TestClient.connect(`ws://127.0.0.1:${other.port}/ws?token=${other.token}`);
    const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'big'), 24);
    const { jobId } = ((await c.request('datasets:import', { folder, name: 'big' })) as { value: { jobId: string } }).value;
    await c.event('import:progress', (p) => p.jobId === jobId);
    const code = c.closed();
    await other.close();
    expect(await code).toBe(1001);
    const failed = c.events.find((e) => e.event === 'import:failed');
    expect(failed?.payload).toMatchObject({ jobId, error: { code: 'CANCELLED' } });
    const db = openCatalog(own);
    expect(db.prepare('SELECT COUNT(*) AS n FROM datasets').get()).toEqual({ n: 0 });
    db.close();
  });

  it('close() says goodbye to connected pages and stops listening', async () => {
    const other = await startServer({ catalogPath, host: '127.0.0.1', staticDir: tmp.dir });
    const c = await TestClient.connect(`ws://127.0.0.1:${other.port}/ws?token=${other.token}`);
    const code = c.closed();
    await other.close();
    expect(await code).toBe(1001);
    await expect(rawGet(other.port, `/?token=${other.token}`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
