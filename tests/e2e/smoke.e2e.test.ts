import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, type Browser } from './helpers/app-harness.ts';

let browser: Browser;
beforeAll(async () => (browser = await launchBrowser()));
afterAll(async () => browser?.close());

describe('the app in a browser, through lookalike serve', () => {
  it('loads with its header and the empty datasets view on an empty catalog, without errors', async () => {
    const app = await startApp(browser);
    try {
      const { page } = app;
      await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Lookalike' }).isVisible()).toBe(true);
      // The empty state needs datasets:list to have answered over the WebSocket.
      await page.getByText('No datasets yet').waitFor({ state: 'visible', timeout: 10_000 });
      await app.screenshot('smoke-empty-catalog');
      app.expectNoErrors();
    } finally {
      await app.close();
    }
  });

  it('shows catalog thumbnails through the media endpoint under the page CSP', async () => {
    const app = await startApp(browser, { open: false });
    try {
      const { dataset } = await app.seedDataset('tiny', 2);
      await app.open();
      await app.page.getByText(dataset.name, { exact: true }).first().waitFor({ timeout: 10_000 });
      // Written as page script text: this file is typechecked without the DOM library.
      const widths = await app.page.evaluate<{ thumb: number; original: number }>(`(async () => {
        const token = new URLSearchParams(location.search).get('token');
        const load = (src) => new Promise((resolve) => {
          const img = new Image();
          img.onload = () => resolve(img.naturalWidth);
          img.onerror = () => resolve(-1);
          img.src = src;
        });
        return { thumb: await load('/media/thumb/1?token=' + token), original: await load('/media/image/1?token=' + token) };
      })()`);
      expect(widths.thumb).toBeGreaterThan(0);
      expect(widths.original).toBe(64);
      app.expectNoErrors();
    } finally {
      await app.close();
    }
  });

  it('refuses the page without the token', async () => {
    const app = await startApp(browser, { open: false });
    try {
      const res = await app.page.goto(`${app.server.origin}/`);
      expect(res?.status()).toBe(403);
      expect(await app.page.textContent('body')).toMatch(/access token/);
    } finally {
      await app.close();
    }
  });
});
