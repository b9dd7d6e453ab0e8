import { expect, it } from 'vitest';
import type { ReportData, ReportResult } from '../../src-main/report/gather-report-data.ts';
import { renderReportHtml } from '../../src-main/report/render-report.ts';
import { renderConfigTable } from '../../src-main/report/render-sections.ts';
import { trainCommand } from '../../src-main/cli/commands/train-command.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';

const EVIL = `a"b'<i>&x`;

const run: RunSummary = {
  id: 7,
  datasetId: 1,
  datasetName: `shop ${EVIL}`,
  status: 'failed',
  interrupted: false,
  config: { backbone: 'mobilenetv2', mode: 'head', epochs: 3, batchSize: 8, learningRate: 1e-4, margin: 0.5, mining: 'semihard', pooling: 'flatten', distance: 'l1', seed: 1, embeddingSize: 64, inputSize: 32 },
  backend: `wasm ${EVIL}`,
  weightsSource: `/models/${EVIL}.h5`,
  epochsDone: 2,
  error: `disk full ${EVIL}`,
  createdAt: '2025-01-02T03:04:05.000Z',
  finishedAt: null,
  epochs: [
    { epoch: 1, loss: 0.4, valLoss: 0.5, seconds: 1, val: null },
    { epoch: 2, loss: 0.3, valLoss: null, seconds: 1, val: null },
  ],
  metrics: null,
};

const result = (pairName: string, rank: number, isTrue = false): ReportResult => ({ imageId: rank + 10, pairName, rank, score: 0.9 - rank / 10, match: rank < 3, isTrue });

const data: ReportData = {
  run,
  generatedAt: '2025-01-02T04:00:00.000Z',
  pairs: { val: 0, test: 9 },
  tau: 0.5,
  tauFrom: 'default',
  columns: [
    { key: 'run', label: 'run 7', test: { queries: 9, gallery: 9, recall: { '1': 0.5, '5': 0.9, '10': 1 }, mrr: 0.6, rocAuc: 0.8 }, tau: 0.5, tauFrom: 'default', f1AtTau: 0.7, error: null },
    { key: 'untrained', label: 'untrained mobilenetv2', test: { queries: 9, gallery: 9, recall: { '1': 0.4, '5': 0.9, '10': 1 }, mrr: 0.5, rocAuc: 0.7 }, tau: 0.6, tauFrom: 'test', f1AtTau: 0.6, error: null },
    { key: 'phash', label: 'pHash', test: null, tau: null, tauFrom: null, f1AtTau: null, error: `cannot read /img/${EVIL}.png` },
  ],
  examples: [
    {
      query: { imageId: 1, pairName: `q ${EVIL}` },
      trueRank: 7,
      trueScore: 0.2,
      results: [1, 2, 3, 4, 5].map((r) => result(`p${r} ${EVIL}`, r)),
      truePair: result(`q ${EVIL}`, 7, true),
    },
  ],
  thumbnails: new Map([[1, Buffer.from('RIFF....WEBP')]]),
  notices: [`note ${EVIL}`],
};

const html = renderReportHtml(data, { code: 'window.Chart = function () {};', version: '4.x' });

it('escapes every string that comes from the catalog or the run', () => {
  expect(html).not.toContain(EVIL);
  expect(html).not.toContain('<i>');
  const escaped = 'a&quot;b&#39;&lt;i&gt;&amp;x';
  for (const s of [`shop ${escaped}`, `wasm ${escaped}`, `/models/${escaped}.h5`, `disk full ${escaped}`, `cannot read /img/${escaped}.png`, `note ${escaped}`, `q ${escaped}`, `p1 ${escaped}`]) {
    expect(html).toContain(s);
  }
});

it("shows a miss's true pair after the results when it ranks below them, and images without thumbnail as placeholders", () => {
  const card = html.match(/<article[\s\S]*?<\/article>/)![0];
  expect(card).toContain('true pair ranked 7');
  const items = [...card.matchAll(/<li class="([^"]*)"/g)].map((m) => m[1]);
  expect(items).toEqual(['result', 'result', 'result', 'result', 'result', 'gap', 'result true-pair below']);
  expect(card).toMatch(/#7<\/span> <span class="score">0\.200<\/span>\s*<span class="badge no-match">/);
  expect(card).toContain('src="data:image/webp;base64,UklGRi4uLi5XRUJQ"');
  expect(card.match(/class="no-thumb"/g)).toHaveLength(6);
});

it('charts the epochs even without val retrieval, bolds the best value, and says why a column is empty', () => {
  expect(html).toContain('<canvas id="loss-chart"');
  expect(html).not.toContain('<canvas id="val-chart"');
  expect(html).toContain('"valLoss":[0.5,null]');
  expect(html).toMatch(/<th scope="row">Recall@1<\/th><td><strong>0\.500<\/strong><\/td><td>0\.400<\/td><td>—<\/td>/);
  // Equal values are not "best": nothing is bold when the columns that have a value tie.
  expect(html).toMatch(/<th scope="row">Recall@5<\/th><td>0\.900<\/td><td>0\.900<\/td><td>—<\/td>/);
  expect(html).toContain('<td>failed</td>');
  expect(html).toContain('— (queries use the default 0.5)');
});

it('names, for every stored hyperparameter, a flag that `lookalike train` really takes', () => {
  const html = renderConfigTable({ ...run, config: { ...run.config, symmetric: true, augment: 4 } }, data.pairs);
  const shown = [...html.matchAll(/<code>--([a-z0-9-]+)<\/code>/g)].map((m) => m[1]);
  expect(shown).toHaveLength(Object.keys(run.config).length + 2);
  for (const flag of shown) expect(Object.keys(trainCommand.options), flag).toContain(flag);
  expect(html).toContain('<th scope="row">Embedding size</th><td>64</td>');
});
