/**
 * Does the app's page stay responsive while the heavy work runs? The built renderer against `lookalike serve` on a
 * temporary catalog, in Debian's Chromium (as the e2e tests drive it): import the sample, train on it, query an
 * image, batch-query a folder — and, throughout, the browser's Long Tasks API records every stretch of main-thread
 * work over 50 ms (https://w3c.github.io/longtasks/). Prints ONE JSON object: per phase, how many long tasks and
 * the longest, plus the load average.
 *
 *   npm run bench:ui            (builds the renderer first)
 *   npx tsx scripts/bench-ui.ts [--epochs N]
 *
 * Issue 9's target: the UI's main thread never blocks over 50 ms while any of this runs.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser, startApp } from '../tests/e2e/helpers/app-harness.ts';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '5' }, profile: { type: 'string' } } });
const loadBefore = os.loadavg().map((v) => +v.toFixed(2));
const browser = await launchBrowser();
const app = await startApp(browser, { open: false });
const { page } = app;
// Installed before the page's own scripts: every long task from the first paint on is kept with its start time.
await page.addInitScript({
  content: `window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });`,
});
const byTest = (id: string) => page.getByTestId(id);
const now = async () => (await page.evaluate('performance.now()')) as number;
const phases: { phase: string; from: number; to: number; seconds: number }[] = [];
async function phase(name: string, run: () => Promise<void>): Promise<void> {
  const from = await now();
  const t0 = performance.now();
  await run();
  phases.push({ phase: name, from, to: await now(), seconds: +((performance.now() - t0) / 1000).toFixed(1) });
  process.stderr.write(`bench:ui: ${name} done\n`);
}

// --profile FILE: a CPU profile of the page (Chrome DevTools format) over the whole run, to see what a long task did.
const cdp = values.profile ? await page.context().newCDPSession(page) : undefined;
try {
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  }
  await phase('load', async () => {
    if (cdp) await cdp.send('Profiler.start');
    await app.open();
    await byTest('nav-datasets').waitFor();
  });
  await phase('import', async () => {
    await byTest('nav-datasets').click();
    await byTest('import-sample').click();
    await byTest('import-result').waitFor({ timeout: 600_000 });
  });
  await phase('train', async () => {
    await byTest('nav-train').click();
    const labels = await byTest('train-dataset').locator('option').allTextContents();
    await byTest('train-dataset').selectOption({ label: labels.find((l) => l.startsWith('sample '))! });
    await byTest('train-epochs').fill(values.epochs);
    await byTest('train-start').click();
    await byTest('train-done').waitFor({ timeout: 1_800_000 });
  });
  await phase('query', async () => {
    await byTest('nav-query').click();
    await byTest('query-file').setInputFiles(path.join(app.samplePath, 'right', 'audi.jpg'));
    await byTest('query-search').click();
    await byTest('query-results').getByTestId('result-card').first().waitFor({ timeout: 600_000 });
  });
  await phase('batch query', async () => {
    await byTest('nav-batch').click();
    const dir = path.join(app.samplePath, 'right');
    await byTest('batch-files').setInputFiles(fs.readdirSync(dir).slice(0, 30).map((f) => path.join(dir, f)));
    await byTest('batch-start').click();
    await byTest('batch-summary').waitFor({ timeout: 600_000 });
  });
  const tasks = (await page.evaluate('window.__longTasks')) as { start: number; duration: number }[];
  if (cdp && values.profile) fs.writeFileSync(values.profile, JSON.stringify({ ...(await cdp.send('Profiler.stop')).profile, longTasks: tasks }));
  const results = phases.map(({ phase: name, from, to, seconds }) => {
    const inside = tasks.filter((t) => t.start >= from && t.start < to);
    return {
      phase: name,
      seconds,
      longTasks: inside.length,
      longestMs: inside.length ? Math.round(Math.max(...inside.map((t) => t.duration))) : 0,
    };
  });
  const json = {
    benchmark: 'main-thread long tasks (> 50 ms) in Chromium while the app works',
    target: 'no long task outside page load',
    phases: results,
    machine: { loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg().map((v) => +v.toFixed(2)), cores: os.cpus().length },
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
} finally {
  await app.close();
  await browser.close();
}
