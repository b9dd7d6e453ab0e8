import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { listPairs } from '../../src-main/catalog/datasets.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { readChartJsUmd } from '../../src-main/report/chartjs-source.ts';
import { writeRunReport, type ReportProgress, type ReportSummary } from '../../src-main/report/write-run-report.ts';
import { main } from '../../src-main/cli/main.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

const NAME = 'tiny <script>alert(1)</script>';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let dbFile: string;
let run: RunSummary;
let html: string;
let summary: ReportSummary;
const progress: ReportProgress[] = [];

beforeAll(async () => {
  tmp = tempDir();
  dbFile = path.join(tmp.dir, 'catalog.sqlite');
  db = openCatalog(dbFile);
  const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 20);
  const spare = await makeTinyPairedFolder(path.join(tmp.dir, 'spare'), 22);
  // Two pairs made of the same two images ("twin" repeats logo00): each one's query ties with the other's left
  // image, so both are misses whatever the model learns; "same" has one image on both sides, a certain hit.
  fs.copyFileSync(path.join(folder, 'left', 'logo00.png'), path.join(folder, 'left', 'twin.png'));
  fs.copyFileSync(path.join(folder, 'right', 'logo00.jpg'), path.join(folder, 'right', 'twin.jpg'));
  fs.copyFileSync(path.join(spare, 'left', 'logo21.png'), path.join(folder, 'left', 'same.png'));
  fs.copyFileSync(path.join(spare, 'left', 'logo21.png'), path.join(folder, 'right', 'same.png'));
  await importFolder(db, folder, { name: NAME });
  // The split of a pair comes from a hash of its name; these three are put in test on purpose.
  db.prepare(`UPDATE pairs SET split = 'test' WHERE name IN ('logo00.png', 'twin.png', 'same.png')`).run();
  run = await trainNewRun(db, NAME, { backbone: 'mobilenetv2', inputSize: 32, epochs: 4, batchSize: 8, learningRate: 1e-3, mining: 'hard', seed: 3 });
  summary = await writeRunReport(db, run.id, path.join(tmp.dir, 'report.html'), { onProgress: (p) => progress.push(p) });
  html = fs.readFileSync(summary.path, 'utf8');
});
afterAll(() => {
  db?.close();
  tmp?.cleanup();
});

/** The cells of the metrics table's row `label`, after the row header. */
function metricsRow(label: string): string[] {
  const table = html.match(/<table class="metrics">[\s\S]*?<\/table>/)![0];
  const row = table.match(new RegExp(`<tr><th scope="row">${label}</th>(.*?)</tr>`))![1];
  return [...row.matchAll(/<td>(?:<strong>)?([^<]*)(?:<\/strong>)?<\/td>/g)].map((m) => m[1]);
}

describe('run report', () => {
  it('is one self-contained file: no external script, link or image, Chart.js inlined, images as data URIs', () => {
    expect(summary.bytes).toBe(fs.statSync(summary.path).size);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\bsrc\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:;`);
    const images = [...html.matchAll(/<img [^>]*src="([^"]*)"/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((src) => src.startsWith('data:image/webp;base64,'))).toBe(true);
    const chartJs = readChartJsUmd().code;
    expect(html).toContain(chartJs.slice(0, 2000));
    expect(html).toContain(chartJs.slice(-2000));
    expect(html).toContain('<canvas id="loss-chart"');
    expect(html).toContain('<canvas id="val-chart"');
  });

  it('charts every epoch: train and val loss, val retrieval', () => {
    const json = html.match(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s)![1];
    const series = JSON.parse(json);
    expect(series.epochs).toEqual([1, 2, 3, 4]);
    expect(series.loss).toEqual(run.epochs.map((e) => e.loss));
    expect(series.valLoss).toEqual(run.epochs.map((e) => e.valLoss));
    expect(series.recall1).toEqual(run.epochs.map((e) => e.val!.recall1));
    expect(series.mrr).toEqual(run.epochs.map((e) => e.val!.mrr));
  });

  it('shows every hyperparameter, the backbone weights, backend, dates and status', () => {
    const config = html.match(/<table class="config">[\s\S]*?<\/table>/)![0];
    for (const [key, value] of Object.entries(run.config)) {
      const shown = key === 'learningRate' ? (value as number).toExponential(1) : String(value);
      expect(config, key).toMatch(new RegExp(`<td>${shown.replace(/[.+]/g, '\\$&')}</td><td class="muted"><code>--`));
    }
    expect(config).toContain(run.weightsSource);
    expect(config).toContain(run.backend);
    expect(config).toContain(`<td>done</td>`);
    expect(config).toContain(run.createdAt.slice(0, 10));
  });

  it('escapes the dataset name wherever it appears', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('tiny &lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('puts the run beside the untrained backbone and pHash, measured on the same test pairs', () => {
    const heads = [...html.matchAll(/<th scope="col" data-column="(\w+)">([^<]*)<\/th>/g)].map((m) => [m[1], m[2]]);
    expect(heads).toEqual([['run', `run ${run.id}`], ['untrained', 'untrained mobilenetv2 (mid-multi-gem-polarity)'], ['phash', 'pHash']]);
    const testPairs = listPairs(db, run.datasetId, 'test').length;
    expect(summary.testPairs).toBe(testPairs);
    expect(html).toContain(`on ${testPairs} test pairs`);
    for (const label of ['Recall@1', 'Recall@5', 'Recall@10', 'MRR', 'ROC AUC']) {
      const cells = metricsRow(label);
      expect(cells, label).toHaveLength(3);
      expect(cells.every((c) => /^-?\d\.\d{3}$/.test(c)), `${label}: ${cells}`).toBe(true);
    }
    // 22 pairs leave a few val pairs: no column can be calibrated, and none pretends to be.
    expect(metricsRow('tau')).toEqual(['uncalibrated', 'uncalibrated', 'uncalibrated']);
    expect(metricsRow('False-match rate')).toEqual(['—', '—', '—']);
    expect(metricsRow('True-match rate')).toEqual(['—', '—', '—']);
    expect(html).not.toContain('90 % precision');
    // The run's column is its test split measured again: the numbers training recorded.
    const t = run.metrics!.test!;
    expect(metricsRow('Recall@1')[0]).toBe(t.recall['1'].toFixed(3));
    expect(metricsRow('MRR')[0]).toBe(t.mrr.toFixed(3));
    expect(metricsRow('ROC AUC')[0]).toBe(t.rocAuc!.toFixed(3));
    expect(run.metrics!.tau).toBeNull();
    // twin and logo00 tie for every scorer: neither can be at rank 1, so no column reaches Recall@1 = 1.
    expect(metricsRow('Recall@1').every((c) => Number(c) <= (testPairs - 2) / testPairs + 1e-9)).toBe(true);
    expect(summary.unmeasured).toEqual([]);
  });

  it('lists example queries misses first, with the true pair highlighted and no match badges for an uncalibrated run', () => {
    const cards = [...html.matchAll(/<article class="example (miss|hit)" data-outcome="\1">([\s\S]*?)<\/article>/g)];
    const outcomes = cards.map((c) => c[1]);
    expect(outcomes.length).toBe(Math.min(8, summary.testPairs));
    expect(outcomes.filter((o) => o === 'miss').length).toBeGreaterThanOrEqual(2);
    expect(outcomes).toContain('hit');
    expect(outcomes.lastIndexOf('miss')).toBeLessThan(outcomes.indexOf('hit'));
    expect(summary.misses).toBe(outcomes.filter((o) => o === 'miss').length);
    const same = cards.find((c) => c[2].includes('<div class="name" title="same.png"><strong>same.png</strong>'))!;
    expect(same[1]).toBe('hit');
    expect(same[2]).toMatch(/<li class="result true-pair">[\s\S]*?#1<\/span> <span class="score">1\.000<\/span>/);
    const twin = cards.find((c) => c[2].includes('<div class="name" title="twin.png"><strong>twin.png</strong>'))!;
    expect(twin[2]).toContain('true pair ranked 2');
    expect(twin[2].match(/<li class="result/g)).toHaveLength(Math.min(5, summary.testPairs));
    // The run has no threshold: not one badge, and the page says why and what to do.
    expect(cards.every((c) => !c[2].includes('class="badge'))).toBe(true);
    const valPairs = run.metrics!.calibration.valPairs!;
    expect(valPairs).toBeLessThan(20);
    expect(html).toContain(`No match badges: the run is uncalibrated (${valPairs} val pair${valPairs === 1 ? '' : 's'}; calibration needs 20)`);
    expect(html).toContain(`uncalibrated — ${valPairs} val pair${valPairs === 1 ? '' : 's'}, needs 20`);
  });

  it('reports progress for each measurement', () => {
    const steps = new Set(progress.map((p) => p.step));
    expect([...steps]).toEqual(expect.arrayContaining(['run model', 'untrained baseline', 'pHash baseline']));
    const last = progress.filter((p) => p.step === 'pHash baseline').at(-1)!;
    expect(last.done).toBe(last.total);
  });

  it('is written by `lookalike report RUN --out FILE`, which says what went wrong otherwise', async () => {
    const sink = () => {
      let text = '';
      return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
    };
    const out = sink();
    const err = sink();
    const file = path.join(tmp.dir, 'cli-report.html');
    const code = await main(['--db', dbFile, 'report', String(run.id), '--out', file, '--json'], { out: out.stream, err: err.stream, signal: new AbortController().signal });
    expect(code, err.text()).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ path: file, runId: run.id, testPairs: summary.testPairs });
    expect(fs.readFileSync(file, 'utf8')).toContain('<canvas id="loss-chart"');
    const missing = sink();
    expect(await main(['--db', dbFile, 'report', '999', '--out', file], { out: out.stream, err: missing.stream, signal: new AbortController().signal })).toBe(1);
    expect(missing.text()).toMatch(/no run 999/);
    expect(await main(['--db', dbFile, 'report', String(run.id)], { out: out.stream, err: missing.stream, signal: new AbortController().signal })).toBe(2);
    expect(missing.text()).toMatch(/--out FILE/);
  });
});

describe('files the report and training write', () => {
  it('never replaces a file Lookalike did not write without --force, but replaces its own report', async () => {
    const png = path.join(tmp.dir, 'holiday.png');
    const photo = Buffer.from('\x89PNG\r\n\x1a\n the user\'s own picture', 'binary');
    fs.writeFileSync(png, photo);
    await expect(writeRunReport(db, run.id, png)).rejects.toMatchObject({ code: 'OUT_FILE_EXISTS', message: expect.stringContaining('--force') });
    expect(fs.readFileSync(png)).toEqual(photo);
    // The CLI says the same and exits 1, and the picture is still there.
    const err: string[] = [];
    const code = await main(['--db', dbFile, 'report', String(run.id), '--out', png], { out: { write: () => true } as never, err: { write: (s: string) => err.push(s) } as never });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/not a report Lookalike wrote/);
    expect(fs.readFileSync(png)).toEqual(photo);
    // A report written earlier is ours: replaced without asking.
    const again = await writeRunReport(db, run.id, summary.path);
    expect(again.path).toBe(summary.path);
    // --force replaces anything.
    await writeRunReport(db, run.id, png, { force: true });
    expect(fs.readFileSync(png, 'utf8')).toContain('<meta name="generator" content="Lookalike">');
  });

  it('training wrote its look-alikes under the folder Lookalike owns beside the catalog, not loose beside it', () => {
    expect(fs.readdirSync(path.join(`${dbFile}.d`, 'augment')).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(tmp.dir, 'augment'))).toBe(false);
  });
});
