/**
 * End-to-end harness: the built renderer (`out/renderer`, `npm run build:app`) served by the project's own local
 * server on a temporary catalog, driven by Playwright in Debian's Chromium (/usr/bin/chromium).
 *
 *   import { afterAll, beforeAll, it } from 'vitest';
 *   import { launchBrowser, startApp, type Browser } from './helpers/app-harness.ts';
 *
 *   let browser: Browser;
 *   beforeAll(async () => (browser = await launchBrowser()));   // one Chromium per test file (~1 s)
 *   afterAll(() => browser?.close());
 *
 *   it('imports a folder', async () => {
 *     const app = await startApp(browser);        // temp LOOKALIKE_HOME + catalog, server, page open with the token
 *     try {
 *       const folder = await app.pairedFolder('acme', 4);          // tiny synthetic FOLDER/left + FOLDER/right
 *       await app.seedDataset('already-there', 3);                  // or import straight into the catalog
 *       await app.open();                                           // (re)load the app, e.g. after seeding
 *       await app.page.getByRole('button', { name: 'Import' }).click();
 *       await app.screenshot('import-done');                        // tests/artifacts/import-done.png
 *       app.expectNoErrors();                                       // no console error, page error or failed request
 *     } finally {
 *       await app.close();                                          // page, server, temp folder, env restored
 *     }
 *   });
 *
 * `startApp(browser, { open: false })` starts everything but leaves the page blank (seed first, then `app.open()`).
 * `app.server` is the running server (`url`, `origin`, `token`), `app.catalogPath` its catalog (openable with
 * openCatalog() from the test for assertions), `app.errors` the collected problems, `app.samplePath` the
 * embedded 60-pair sample. `ignoreErrors(pattern)` drops expected noise (say, a deliberate 404) before
 * `expectNoErrors()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PACKAGE_ROOT, SAMPLE_DIR } from '../../../src-main/app-paths.ts';
import { openCatalog } from '../../../src-main/catalog/open-catalog.ts';
import { importFolder } from '../../../src-main/importer/import-folder.ts';
import { startServer, type RunningServer } from '../../../src-main/server/start-server.ts';
import type { ImportResult } from '../../../src-shared/catalog-types.ts';
import { tempDir } from '../../helpers/fixtures.ts';
import { makeTinyPairedFolder } from '../../helpers/tiny-dataset.ts';

export type { Browser, Page } from 'playwright-core';

/** Debian's Chromium: the project never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** The renderer the tests drive: the build, not the sources. */
export const RENDERER_DIR = path.join(PACKAGE_ROOT, 'out', 'renderer');
/** Where screenshots go (git-ignored). */
export const ARTIFACTS_DIR = path.join(PACKAGE_ROOT, 'tests', 'artifacts');

/** Starts headless Chromium with everything that would talk to the network turned off. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** What went wrong in the page, as the user's browser would have logged it. */
export interface PageErrors {
  console: string[];
  page: string[];
  requests: string[];
}

/** A running app: server on a temporary catalog plus one browser page. */
export interface AppHarness {
  server: RunningServer;
  /** The temporary LOOKALIKE_HOME. */
  home: string;
  catalogPath: string;
  samplePath: string;
  context: BrowserContext;
  page: Page;
  errors: PageErrors;
  /** Loads the app (the page URL with the token), waiting for the page's load event. `query` is added to the URL. */
  open(query?: string): Promise<Page>;
  /** A tiny synthetic paired folder (`pairs` logos, left PNG / right JPEG) inside the temp home, by name. */
  pairedFolder(name: string, pairs: number): Promise<string>;
  /** Imports a tiny paired folder straight into the catalog, as `lookalike import` would. */
  seedDataset(name: string, pairs: number): Promise<ImportResult>;
  /** Saves a full-page screenshot as tests/artifacts/NAME.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Forgets collected errors whose text matches (expected noise). */
  ignoreErrors(pattern: RegExp): void;
  /** Throws, listing them, if the page logged a console error, threw, or had a request fail. */
  expectNoErrors(): void;
  close(): Promise<void>;
}

/**
 * Starts the local server on a fresh temporary catalog (LOOKALIKE_HOME points at a temp folder until close)
 * and opens the app in a new browser context of `browser`.
 */
export async function startApp(browser: Browser, opts: { open?: boolean; viewport?: { width: number; height: number } } = {}): Promise<AppHarness> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`the renderer is not built (${RENDERER_DIR}): run "npm run build:app" first (npm run test:e2e does)`);
  }
  const tmp = tempDir('lookalike-e2e-');
  const home = path.join(tmp.dir, 'home');
  fs.mkdirSync(home);
  const previousHome = process.env.LOOKALIKE_HOME;
  process.env.LOOKALIKE_HOME = home;
  const catalogPath = path.join(home, 'catalog.sqlite');
  const server = await startServer({ catalogPath, host: '127.0.0.1', staticDir: RENDERER_DIR });
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 820 } });
  const page = await context.newPage();
  const errors: PageErrors = { console: [], page: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.console.push(`${msg.text()}${msg.location().url ? ` (${msg.location().url})` : ''}`);
  });
  page.on('pageerror', (e) => errors.page.push(e.stack ?? e.message));
  page.on('requestfailed', (req) => errors.requests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) errors.requests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
  });

  const harness: AppHarness = {
    server,
    home,
    catalogPath,
    samplePath: SAMPLE_DIR,
    context,
    page,
    errors,
    async open(query = '') {
      await page.goto(`${server.url}${query ? `&${query.replace(/^[?&]/, '')}` : ''}`, { waitUntil: 'load' });
      return page;
    },
    pairedFolder: (name, pairs) => makeTinyPairedFolder(path.join(tmp.dir, 'folders', name), pairs),
    async seedDataset(name, pairs) {
      const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'folders', name), pairs);
      const db = openCatalog(catalogPath);
      try {
        return await importFolder(db, folder, { name });
      } finally {
        db.close();
      }
    },
    async screenshot(name) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    ignoreErrors(pattern) {
      for (const list of Object.values(errors) as string[][]) {
        const keep = list.filter((e) => !pattern.test(e));
        list.splice(0, list.length, ...keep);
      }
    },
    expectNoErrors() {
      const all = [...errors.page.map((e) => `page error: ${e}`), ...errors.console.map((e) => `console: ${e}`), ...errors.requests.map((e) => `request: ${e}`)];
      if (all.length) throw new Error(`the page reported ${all.length} problem(s):\n  ${all.join('\n  ')}`);
    },
    async close() {
      await context.close().catch(() => {});
      await server.close();
      if (previousHome === undefined) delete process.env.LOOKALIKE_HOME;
      else process.env.LOOKALIKE_HOME = previousHome;
      tmp.cleanup();
    },
  };
  if (opts.open ?? true) await harness.open();
  return harness;
}
