import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { startServer, type RunningServer } from '../../src-main/server/start-server.ts';
import { REQUEST_NAMES } from '../../src-shared/contract.ts';
import type { DatasetSummary } from '../../src-shared/catalog-types.ts';
import type { WireReply } from '../../src-shared/wire-protocol.ts';
import { tempDir, writeTree } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { TestClient } from './server-client.ts';

/**
 * A few thousand malformed requests through the real server over a loopback WebSocket, from a seeded generator
 * (the same frames every run): wrong types, huge and negative numbers, NaN-ish strings, deep objects, unknown
 * fields, random bytes. Every frame must be answered, none with INTERNAL, and afterwards the server still serves
 * and the catalog is intact.
 */
const FRAMES = 3000;
const SEED = 0x10_0c_a1;
const MAX_MESSAGE_BYTES = 256 * 1024;

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer;
let catalogPath: string;
const wsUrl = () => `ws://127.0.0.1:${server.port}/ws?token=${encodeURIComponent(server.token)}`;

beforeAll(async () => {
  tmp = tempDir('lookalike-fuzz-');
  catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  const db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'seed'), 2), { name: 'seed' });
  db.close();
  writeTree(path.join(tmp.dir, 'renderer'), { 'index.html': '<!doctype html><title>Lookalike</title>' });
  server = await startServer({ catalogPath, host: '127.0.0.1', staticDir: path.join(tmp.dir, 'renderer'), maxMessageBytes: MAX_MESSAGE_BYTES });
});
afterAll(async () => {
  await server?.close();
  tmp.cleanup();
});

/** mulberry32: a small seeded PRNG, so a failing frame can be found again. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds the hostile frames. Ids never take the value 1 — the seed dataset's id — so no frame can start a real
 * training run on the loaded CI machine; the valid path is checked after the fuzzing.
 */
function frameMaker(seed: number) {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const NUMBERS = [0, -1, -42, 1.5, -0.5, 2, 3, 7, 999_999, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, -1e308, 4294967296, 1e-300, Number.MAX_SAFE_INTEGER];
  // Raw JSON number tokens that parse to what JSON.stringify cannot write (Infinity) or to -0.
  const RAW_NUMBERS = ['1e999', '-1e999', '-0', '1E400', '0.0000000000000000000001'];
  const STRINGS = ['', 'NaN', 'Infinity', '-Infinity', '-0', '1e999', '0x10', '1', ' 1 ', 'null', 'undefined', 'true', '__proto__', 'constructor',
    '\u0000', 'a\u0000b', 'x'.repeat(5000), '💥'.repeat(300), 'left', 'right', 'match', 'resnet50', 'head', '\ud800', 'DROP TABLE datasets;--'];
  const FIELDS = ['datasetId', 'runId', 'folder', 'name', 'jobId', 'image', 'path', 'bytesBase64', 'request', 'epochs', 'batchSize', 'learningRate',
    'top', 'side', 'verdict', 'querySha256', 'resultImageId', 'backbone', '__proto__', 'constructor', 'prototype', 'toString', 'extra'];
  const NAMES = [...REQUEST_NAMES, 'files:delete', 'Datasets:List', 'datasets:', ':', '', 'app:info ', 'renderer:ready', 'x'.repeat(3000), '__proto__', 'toString'];
  const garbage = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('').replace(/[/.~]/g, '_');

  const id = (): unknown => (rnd() < 0.7 ? pick(NUMBERS) : rnd() < 0.5 ? 2 + int(1_000_000) : pick(STRINGS));
  const value = (depth: number): unknown => {
    const r = rnd();
    if (r < 0.25) return pick(NUMBERS);
    if (r < 0.45) return pick(STRINGS);
    if (r < 0.5) return garbage(1 + int(60));
    if (r < 0.55) return rnd() < 0.5;
    if (r < 0.6) return null;
    if (depth > 3) return pick(NUMBERS);
    if (r < 0.75) return Array.from({ length: int(5) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: int(5) }, () => [rnd() < 0.7 ? pick(FIELDS) : garbage(1 + int(10)), value(depth + 1)]));
  };
  /** Arguments close to valid ones, with one thing wrong (or, now and then, nothing wrong). */
  const nearValid = (name: string): unknown => {
    const sha = Array.from({ length: 64 }, () => '0123456789abcdef'[int(16)]).join('');
    const templates: Record<string, Record<string, unknown>> = {
      'datasets:pairs': { datasetId: id() },
      'datasets:problems': { datasetId: id() },
      'datasets:import': { folder: garbage(1 + int(30)), name: garbage(1 + int(20)) },
      'datasets:cancelImport': { jobId: garbage(36) },
      'training:start': { datasetId: id(), request: { epochs: pick(NUMBERS), backbone: pick(['resnet50', 'mobilenetv2', 'vgg']), margin: pick(NUMBERS) } },
      'training:resume': { runId: id() },
      'training:cancel': { jobId: garbage(36) },
      'runs:list': { datasetId: id() },
      'runs:get': { runId: id() },
      'query:start': { image: rnd() < 0.5 ? { path: garbage(1 + int(40)) } : { bytesBase64: rnd() < 0.5 ? 'AAAA' : garbage(8), name: 'q.png' }, top: pick(NUMBERS), side: pick(['left', 'right', 'up']) },
      'feedback:mark': { querySha256: rnd() < 0.7 ? sha : garbage(64), resultImageId: id(), verdict: pick(['match', 'not-a-match', null, 'maybe']) },
    };
    const args = { ...(templates[name] ?? {}) };
    const keys = Object.keys(args);
    const r = rnd();
    if (r < 0.3 && keys.length) args[pick(keys)] = value(0);
    else if (r < 0.45 && keys.length) delete args[pick(keys)];
    else if (r < 0.6) args[rnd() < 0.5 ? pick(FIELDS) : garbage(8)] = value(0);
    return args;
  };
  const deep = (levels: number) => (rnd() < 0.5 ? '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) : '['.repeat(levels) + ']'.repeat(levels));

  return (i: number): string | Buffer => {
    const kind = int(10);
    switch (kind) {
      case 0:
        return Buffer.from(Array.from({ length: 1 + int(200) }, () => int(256)));
      case 1:
        return garbage(1 + int(200));
      case 2: {
        const text = JSON.stringify({ id: i, name: pick(REQUEST_NAMES), args: nearValid(pick(REQUEST_NAMES)) });
        return text.slice(0, int(text.length)); // cut off mid-way
      }
      case 3: // a broken envelope: the id, the name or the whole shape wrong
        return JSON.stringify(
          pick([
            { name: pick(NAMES), args: value(0) },
            { id: pick([null, {}, [], '', 'x'.repeat(200), true, -0.5]), name: pick(NAMES) },
            { id: i, name: value(0) },
            value(0),
          ]),
        ) ?? 'undefined';
      case 4: // raw number tokens JSON.stringify cannot produce, where ids and bounds are checked
        return `{"id":${i},"name":"${pick(['datasets:pairs', 'runs:get', 'query:start', 'training:start'])}","args":{"datasetId":${pick(RAW_NUMBERS)},"runId":${pick(RAW_NUMBERS)},"top":${pick(RAW_NUMBERS)}}}`;
      case 5: // deep nesting, in the args or in the request's options
        return `{"id":${i},"name":"${pick(['training:start', 'datasets:list', 'query:start', 'feedback:mark'])}","args":{"datasetId":2,"request":${deep(100 + int(20_000))}}}`;
      case 6:
        return JSON.stringify({ id: i, name: pick(NAMES), args: value(0) });
      default:
        return JSON.stringify({ id: rnd() < 0.5 ? i : `r${i}`, name: pick(REQUEST_NAMES), args: nearValid(pick(REQUEST_NAMES)) });
    }
  };
}

describe('lookalike serve: malformed requests (seeded fuzz)', () => {
  it(`answers ${FRAMES} malformed frames, none with INTERNAL, then still serves, with the catalog intact`, async () => {
    const next = frameMaker(SEED);
    const c = await TestClient.connect(wsUrl());
    const codes = new Map<string, number>();
    const internal: string[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const frame = next(i);
      const { reply } = await c.sendRaw(frame);
      const code = reply.ok ? 'OK' : reply.error.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code === 'INTERNAL') internal.push(`${String(frame).slice(0, 200)} → ${!reply.ok && reply.error.message}`);
      if (!reply.ok) expect(reply.error.message, String(frame).slice(0, 200)).not.toMatch(/\n\s+at |TypeError|RangeError|SqliteError|Cannot read prop|\[object Object\]/);
    }
    expect(internal).toEqual([]);
    // Jobs that a well-formed frame started (imports of made-up folders, queries of made-up images) end, and fail
    // as data too: wait until none is left, then look at how each ended.
    for (let poll = 0; ; poll++) {
      const { reply } = await c.sendRaw(`{"id":"jobs-${poll}","name":"jobs:list"}`);
      if (reply.ok && (reply.value as unknown[]).length === 0) break;
      expect(poll, 'jobs started by the fuzz never ended').toBeLessThan(1200);
      await new Promise((r) => setTimeout(r, 100));
    }
    const failures = c.events.filter((e) => e.event.endsWith(':failed')).map((e) => (e.payload as { error: { code: string } }).error.code);
    expect(failures.filter((code) => code === 'INTERNAL')).toEqual([]);
    expect((codes.get('BAD_MESSAGE') ?? 0) + (codes.get('BAD_ARGUMENT') ?? 0) + (codes.get('UNKNOWN_REQUEST') ?? 0)).toBeGreaterThan(FRAMES / 2);
    expect(codes.get('BAD_ARGUMENT')).toBeGreaterThan(100);
    console.info('fuzz answers by code:', JSON.stringify(Object.fromEntries([...codes].sort())), 'jobs failed with:', JSON.stringify(failures));

    // (Fuzz frames used the ids TestClient.request would pick: ask with an id of its own.)
    const { id, reply: list } = await c.sendRaw('{"id":"after-fuzz","name":"datasets:list"}');
    expect(id).toBe('after-fuzz');
    expect(list.ok && (list.value as DatasetSummary[]).find((d) => d.name === 'seed')?.pairs).toBe(2);
    c.close();

    const db = openCatalog(catalogPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) AS n FROM pairs').get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }
  });

  it('closes a connection that sends an oversized frame or invalid UTF-8 with its WebSocket code, and keeps serving', async () => {
    const big = await TestClient.connect(wsUrl());
    const tooBig = big.closed();
    big.ws.send(JSON.stringify({ id: 1, name: 'datasets:list', args: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
    expect(await tooBig).toBe(1009); // Message Too Big

    const raw = new WebSocket(wsUrl());
    await new Promise((resolve) => raw.once('open', resolve));
    const badText = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    raw.on('error', () => {});
    raw.send(Buffer.from([0xff, 0xfe, 0x7b]), { binary: false });
    expect(await badText).toBe(1007); // Invalid frame payload data

    const again = await TestClient.connect(wsUrl());
    expect(await again.request('datasets:list')).toMatchObject({ ok: true });
    const sent: WireReply = await again.sendRaw('{"id":"after","name":"runs:get","args":{"runId":"1"}}');
    expect(sent).toMatchObject({ id: 'after', reply: { ok: false, error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/runId must be a run id/) } } });
    again.close();
  });
});
