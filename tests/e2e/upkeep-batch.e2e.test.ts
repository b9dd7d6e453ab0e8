/**
 * Two journeys of an analyst in a browser: triage a handful of suspect images into a CSV, then delete a dataset
 * that is no longer needed — with the confirmation naming what goes, and the image folder left as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type AppHarness, type Browser, type Page } from './helpers/app-harness.ts';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../src-main/importer/import-folder.ts';
import { trainNewRun } from '../../src-main/training/train-run.ts';
import { queryCatalog } from '../../src-main/search/query-catalog.ts';
import { parseCsv } from '../helpers/parse-csv.ts';
import { snapshotTree } from '../upkeep/upkeep-fixture.ts';

let browser: Browser;
let app: AppHarness;
let page: Page;
let folder: string;

beforeAll(async () => {
  browser = await launchBrowser();
  app = await startApp(browser, { open: false });
  page = app.page;
  folder = await app.pairedFolder('brands', 10);
  const db = openCatalog(app.catalogPath);
  try {
    await importFolder(db, folder, { name: 'brands' });
    await trainNewRun(db, 'brands', { backbone: 'mobilenetv2', inputSize: 32, epochs: 2, batchSize: 4, seed: 1, augment: 0 });
  } finally {
    db.close();
  }
  await app.open();
}, 120_000);
afterAll(async () => {
  await app?.close();
  await browser?.close();
});

const byTest = (id: string) => page.getByTestId(id);

describe('an analyst triages suspects and cleans up', () => {
  it('batch-queries chosen files, lists the unreadable one, and exports a CSV with the rows single queries give', async () => {
    const suspects = [
      { name: 'suspect-a.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(folder, 'right', 'logo03.jpg')) },
      { name: 'suspect-b.jpg', mimeType: 'image/jpeg', buffer: fs.readFileSync(path.join(folder, 'right', 'logo08.jpg')) },
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') },
    ];
    await byTest('nav-batch').click();
    await byTest('batch-files').setInputFiles(suspects);
    await expect.poll(() => byTest('batch-chosen').textContent()).toBe('3 files');
    await byTest('batch-top').fill('3');
    await byTest('batch-start').click();
    await byTest('batch-summary').waitFor();
    expect(await byTest('batch-summary').textContent()).toContain('2 images queried');
    expect(await byTest('batch-row').count()).toBe(2);
    expect(await byTest('batch-unusable').textContent()).toContain('not an image');
    await app.screenshot('batch-01-triage-table');

    await byTest('batch-filter').selectOption('problem');
    expect(await byTest('batch-row').count()).toBe(0);
    expect(await byTest('batch-unusable').count()).toBe(1);
    await byTest('batch-filter').selectOption('all');

    const [download] = await Promise.all([page.waitForEvent('download'), byTest('batch-export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^lookalike-batch-.*\.csv$/);
    const rows = parseCsv(fs.readFileSync((await download.path())!, 'utf8'));

    const db = openCatalog(app.catalogPath);
    try {
      for (const s of suspects.slice(0, 2)) {
        const single = await queryCatalog(db, { image: { bytesBase64: s.buffer.toString('base64'), name: s.name }, top: 3 });
        expect(rows.filter((r) => r.query_file === s.name).map((r) => [r.rank, r.hit_dataset, r.hit_pair, r.hit_side, r.hit_path, r.score, r.match])).toEqual(
          single.hits.map((h) => [String(h.rank), 'brands', h.pairName, h.side, h.path, h.score.toFixed(6), h.match === null ? '' : String(h.match)]),
        );
      }
    } finally {
      db.close();
    }
    expect(rows.filter((r) => r.query_file === 'broken.png')).toEqual([expect.objectContaining({ rank: '', problem: expect.stringContaining('NOT_AN_IMAGE') })]);
    expect(rows).toHaveLength(2 * 3 + 1);
    app.expectNoErrors();
  });

  it("opens a run's page: curves, test metrics, a held-out evaluation beside the baselines, and the HTML report", async () => {
    const heldout = await app.pairedFolder('heldout', 4);
    await byTest('nav-runs').click();
    await byTest('open-run-1').click();
    expect(await byTest('run-title').textContent()).toContain('Run #1');
    await byTest('eval-folder').fill(heldout);
    await byTest('eval-start').click();
    await byTest('eval-table').waitFor({ timeout: 60_000 });
    const head = await byTest('eval-table').locator('thead th').allTextContents();
    expect(head.slice(1)).toEqual(['run #1', 'pHash', 'untrained mobilenetv2 (mid-multi-gem-polarity)']);
    expect(await byTest('eval-table').locator('caption').textContent()).toContain('4 look-alikes searched among 4 logos');
    // Open-set rows for the run and both baselines: the 10-pair run is uncalibrated (no rates of its own), the
    // baselines are measured at the tau tuned on this folder (marked *).
    const cells = async (row: string) => (await byTest(row).locator('td').allTextContents()).map((t) => t.trim());
    const taus = await cells('eval-open-tau');
    expect(taus[0]).toBe('uncalibrated');
    expect(taus.slice(1).every((t) => /^-?\d\.\d{3}\*$/.test(t))).toBe(true);
    for (const row of ['eval-fmr', 'eval-tmr']) {
      const values = await cells(row);
      expect(values[0]).toBe('—');
      expect(values.slice(1).every((t) => /^\d\.\d{3}$/.test(t) && Number(t) <= 1)).toBe(true);
    }
    await byTest('report-start').click();
    await byTest('report-done').waitFor({ timeout: 60_000 });
    const file = ((await byTest('report-done').locator('code').textContent()) ?? '').trim();
    expect(file).toBe(path.join(`${app.catalogPath}.d`, 'reports', 'run-1-report.html'));
    expect(fs.existsSync(file)).toBe(true);
    await app.screenshot('run-page-01-evaluation-and-report');
    await byTest('run-remove').click();
    expect(await byTest('confirm-dialog').textContent()).toContain('2 recorded epochs');
    await byTest('confirm-cancel').click();
    await expect.poll(() => byTest('confirm-dialog').count()).toBe(0);
    app.expectNoErrors();
  });

  it('removes a dataset and its run after a confirmation that counts them, leaving the folder byte-identical', async () => {
    const before = snapshotTree(folder);
    await byTest('nav-datasets').click();
    await byTest('dataset-brands').click();
    await byTest('dataset-remove').click();
    const dialog = byTest('confirm-dialog');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('10 pairs');
    expect(text).toContain('1 training run');
    expect(text).toContain(`The image files in ${folder} are not touched.`);
    await app.screenshot('upkeep-01-confirm-remove-dataset');
    await byTest('confirm-remove').click();
    await byTest('upkeep-done').waitFor();
    await page.getByText('No datasets yet').waitFor();
    await app.screenshot('upkeep-02-dataset-removed');
    await byTest('nav-runs').click();
    await page.getByText('No runs yet').waitFor();
    expect(snapshotTree(folder)).toEqual(before);
    app.expectNoErrors();
  });
});
