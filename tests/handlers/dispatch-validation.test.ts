import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { createServices, type Services } from '../../src-main/handlers/all-handlers.ts';
import { dispatch } from '../../src-main/handlers/dispatch.ts';
import type { Handlers } from '../../src-main/handlers/handler-types.ts';
import type { Reply } from '../../src-shared/contract.ts';
import { checkArgs } from '../../src-shared/check-args.ts';
import { TRAIN_OPTIONS, type TrainOption } from '../../src-shared/train-options.ts';
import { defaultTrainForm, toTrainRequest } from '../../src-renderer/src/lib/train-defaults.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let handlers: Handlers;
let services: Services;
const emitted: string[] = [];
const ask = (name: string, args?: unknown) => dispatch(handlers, name, args);
const failure = (r: Reply<unknown>) => (r.ok ? { code: 'OK', message: JSON.stringify(r.value).slice(0, 200) } : r.error);

beforeAll(async () => {
  tmp = tempDir('lookalike-dispatch-');
  const catalogPath = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(catalogPath);
  await importFolder(db, await makeTinyPairedFolder(path.join(tmp.dir, 'seed'), 2), { name: 'seed' });
  services = createServices({ db, catalogPath, transport: 'web', emit: (name) => void emitted.push(name) });
  handlers = services.handlers;
});
afterAll(async () => {
  await services.dispose();
  db.close();
  tmp.cleanup();
});

describe('dispatch: every request’s arguments are checked where requests enter', () => {
  it('answers wrong types with BAD_ARGUMENT naming the field and what it must be, without JavaScript internals', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['datasets:pairs', { datasetId: '1' }, /datasetId must be a dataset id: a whole number from 1 to \d+, not "1"/],
      ['datasets:pairs', { datasetId: 1.5 }, /datasetId must be .*, not 1\.5/],
      ['datasets:pairs', {}, /datasetId is missing/],
      ['datasets:pairs', 7, /the arguments must be an object \{ datasetId \}, not 7/],
      ['datasets:problems', { datasetId: -1 }, /datasetId must be .*, not -1/],
      ['runs:get', { runId: null }, /runId must be a run id.*, not null/],
      ['runs:list', { datasetId: 'all' }, /datasetId must be a dataset id/],
      ['datasets:import', { folder: 42 }, /folder must be a folder path of 1 to 4096 characters, not 42/],
      ['datasets:import', { folder: 'x'.repeat(5000) }, /folder must be a folder path of 1 to 4096 characters, not "x{40}…"/],
      ['datasets:import', { folder: '/tmp/a\0b' }, /folder must be a folder path without NUL characters/],
      ['datasets:import', { folder: '/tmp', name: 'n'.repeat(201) }, /name must be a dataset name of 1 to 200 characters/],
      ['datasets:import', { folder: '/tmp', recursive: true }, /recursive is not an argument of datasets:import/],
      ['datasets:cancelImport', { jobId: ['a'] }, /jobId must be a job id of 1 to 100 characters, not a list/],
      ['datasets:list', { page: 2 }, /the arguments must be nothing \(this request takes no arguments\)/],
      ['training:start', { datasetId: 1, request: { epochs: 1e9 } }, /request\.epochs must be .*\b1000\b.*, not 1000000000/],
      ['training:start', { datasetId: 1, request: { backbone: 'vgg16' } }, /request\.backbone must be .*resnet50, mobilenetv2, not "vgg16"/],
      ['training:start', { datasetId: 1, request: { learningRate: 0 } }, /request\.learningRate must be .*above 0.*below 1, not 0/],
      ['training:start', { datasetId: 1 }, /request is missing/],
      ['query:start', { image: { path: '/x.png' }, top: 5000 }, /top must be a number of results: a whole number from 1 to 1000, not 5000/],
      ['query:start', { image: {} }, /image must be an image: \{ path \} or \{ bytesBase64, name \}/],
      ['query:start', { image: { bytesBase64: 'not base64!', name: 'a.png' } }, /image.bytesBase64 must be the image’s bytes as base64, not "not base64!"/],
      ['query:start', { image: { path: '/x.png' }, side: 'top' }, /side must be left or right, not "top"/],
      ['feedback:mark', { querySha256: 'abc', resultImageId: 1, verdict: 'match' }, /querySha256 must be a SHA-256 hex digest/],
      ['feedback:mark', { querySha256: 'a'.repeat(64), resultImageId: 1, verdict: 'maybe' }, /verdict must be match, not-a-match or null, not "maybe"/],
    ];
    for (const [name, args, message] of cases) {
      const error = failure(await ask(name, args));
      expect(error.code, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe('BAD_ARGUMENT');
      expect(error.message, name).toMatch(message);
      expect(error.message, name).toMatch(new RegExp(`^${name}: `));
      expect(error.message).not.toMatch(/TypeError|SqliteError|undefined|\bat \w+ \(|\[object/);
    }
    expect(emitted).toEqual([]); // nothing was started by a refused request
  });

  it('names several wrong fields of one request, each once', async () => {
    const error = failure(await ask('training:start', { datasetId: 'x', request: { epochs: -1.5, margin: 'big', mining: 'all', extra: 1 } }));
    expect(error.code).toBe('BAD_ARGUMENT');
    expect(error.message).toMatch(/datasetId must be/);
    expect(error.message).toMatch(/request\.epochs must be .*, not -1\.5/);
    expect(error.message.match(/request\.epochs/g)).toHaveLength(1);
    expect(error.message).toMatch(/and \d+ more/);
  });

  it('answers ids that name no catalog row with their not-found code instead of an empty answer', async () => {
    expect(failure(await ask('datasets:pairs', { datasetId: 999 }))).toMatchObject({ code: 'DATASET_NOT_FOUND', message: expect.stringMatching(/no dataset 999/) });
    expect(failure(await ask('datasets:problems', { datasetId: 999 }))).toMatchObject({ code: 'DATASET_NOT_FOUND' });
    expect(failure(await ask('runs:list', { datasetId: 999 }))).toMatchObject({ code: 'DATASET_NOT_FOUND' });
    expect(failure(await ask('runs:get', { runId: 999 }))).toMatchObject({ code: 'RUN_NOT_FOUND' });
    // Refused before a job exists, rather than a job id whose failure arrives later as an event.
    expect(failure(await ask('training:start', { datasetId: 999, request: {} }))).toMatchObject({ code: 'DATASET_NOT_FOUND' });
    expect(failure(await ask('training:resume', { runId: 999 }))).toMatchObject({ code: 'RUN_NOT_FOUND' });
    expect(failure(await ask('query:start', { image: { path: '/no/such.png' }, datasetId: 999 }))).toMatchObject({ code: 'DATASET_NOT_FOUND' });
    expect(failure(await ask('query:start', { image: { path: '/no/such.png' }, runId: 999 }))).toMatchObject({ code: 'RUN_NOT_FOUND' });
    expect(failure(await ask('feedback:mark', { querySha256: 'a'.repeat(64), resultImageId: 999_999, verdict: 'match' }))).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
    expect(emitted).toEqual([]);
  });

  it('still answers valid requests, including the forms the app and the browser send', async () => {
    expect(await ask('datasets:list')).toMatchObject({ ok: true, value: [{ name: 'seed', pairs: 2 }] });
    expect(await ask('datasets:list', undefined)).toMatchObject({ ok: true });
    const pairs = await ask('datasets:pairs', { datasetId: 1 });
    expect(pairs.ok && (pairs.value as unknown[]).length).toBe(2);
    expect(await ask('datasets:problems', { datasetId: 1 })).toMatchObject({ ok: true, value: [] });
    expect(await ask('runs:list', {})).toMatchObject({ ok: true, value: [] });
    expect(await ask('runs:list')).toMatchObject({ ok: true, value: [] });
    expect(await ask('runs:list', { datasetId: 1 })).toMatchObject({ ok: true, value: [] });
    expect(await ask('training:cancel', { jobId: 'no-such-job' })).toMatchObject({ ok: true });
    expect(await ask('app:info')).toMatchObject({ ok: true, value: { transport: 'web' } });
  });

  it('takes every training option’s bounds and choices from the option registry', () => {
    const start = (key: string, value: unknown) => checkArgs('training:start', { datasetId: 1, request: { [key]: value } });
    for (const [key, option] of Object.entries(TRAIN_OPTIONS) as Array<[string, TrainOption]>) {
      if (option.kind === 'number') {
        const inside = option.minExclusive ? (option.maxExclusive ? (option.min + option.max) / 2 : option.max) : option.min;
        expect(start(key, inside).ok, `${key} = ${inside}`).toBe(true);
        // Both ends where they are allowed: a stricter copy of the bounds would refuse one of them.
        if (!option.maxExclusive) expect(start(key, option.max).ok, `${key} = its max`).toBe(true);
        if (!option.minExclusive) expect(start(key, option.min).ok, `${key} = its min`).toBe(true);
        expect(start(key, option.max + 1), `${key} above its max`).toMatchObject({ ok: false, message: expect.stringContaining(`request.${key} must be`) });
        expect(start(key, option.min - 1).ok, `${key} below its min`).toBe(false);
        if (option.minExclusive) expect(start(key, option.min).ok, `${key} = its exclusive min`).toBe(false);
        if (option.integer) expect(start(key, option.min + 0.5).ok, `${key} not whole`).toBe(false);
      } else if (option.kind === 'choice') {
        for (const choice of option.choices) expect(start(key, choice).ok, `${key} = ${choice}`).toBe(true);
        expect(start(key, 'none of them'), key).toMatchObject({ ok: false, message: expect.stringContaining(option.choices.join(', ')) });
      } else {
        expect(start(key, true).ok && start(key, false).ok, key).toBe(true);
        expect(start(key, 'yes').ok, key).toBe(false);
      }
    }
  });

  it('accepts what the app’s forms send: the training form at its defaults and with every choice set', () => {
    expect(checkArgs('training:start', { datasetId: 1, request: toTrainRequest(defaultTrainForm()) })).toMatchObject({ ok: true });
    const everything = { ...defaultTrainForm(), backbone: 'mobilenetv2' as const, mode: 'finetune' as const, batchSize: 8 };
    expect(checkArgs('training:start', { datasetId: 1, request: toTrainRequest(everything) })).toMatchObject({ ok: true });
    // Electron's IPC keeps keys whose value is undefined (the query form sends them): they mean "left out".
    expect(checkArgs('query:start', { image: { path: '/x.png' }, runId: undefined, datasetId: undefined, side: undefined, top: 10 })).toMatchObject({ ok: true });
  });

  it('answers unknown request names with UNKNOWN_REQUEST, quoting at most a short piece of the name', async () => {
    const error = failure(await ask('x'.repeat(10_000)));
    expect(error.code).toBe('UNKNOWN_REQUEST');
    expect(error.message.length).toBeLessThan(120);
  });
});
