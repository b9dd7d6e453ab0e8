import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Protocol } from 'electron';
import { handleAppProtocol, resolveAppFile, serveAppFile } from '../../src-main/electron/app-protocol.ts';
import { APP_PAGE_URL, appCsp } from '../../src-main/electron/security.ts';
import { registerSchemes } from '../../src-main/electron/schemes.ts';
import { tempDir, writeTree } from '../helpers/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let rendererDir: string;
const csp = appCsp(false);
const get = (url: string, method = 'GET') => serveAppFile(rendererDir, csp, new Request(url, { method }));

beforeAll(() => {
  tmp = tempDir('lookalike-app-protocol-');
  rendererDir = path.join(tmp.dir, 'renderer');
  writeTree(tmp.dir, {
    'renderer/index.html': '<!doctype html><title>Lookalike</title>',
    'renderer/assets/index-abc.js': 'console.log(1)',
    'renderer/assets/style.css': 'body{}',
    'secret.txt': 'not for the page',
  });
});
afterAll(() => tmp.cleanup());

describe('Electron: the app page on lookalike-app:// instead of file://', () => {
  it('serves the built renderer with its content type and the CSP', async () => {
    const page = await get(APP_PAGE_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(csp).toContain("script-src 'self';");
    expect(await page.text()).toContain('<title>Lookalike</title>');
    const script = await get('lookalike-app://app/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
    expect((await get('lookalike-app://app/')).status).toBe(200);
  });

  it('serves nothing outside the renderer’s folder, nor for another host or method', async () => {
    for (const url of ['lookalike-app://app/../secret.txt', 'lookalike-app://app/%2e%2e/secret.txt', 'lookalike-app://app/..%2fsecret.txt', 'lookalike-app://other/index.html', 'lookalike-app://app/missing.js', 'lookalike-app://app/a%00b']) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(await r.text(), url).not.toContain('not for the page');
    }
    expect((await get(APP_PAGE_URL, 'POST')).status).toBe(404);
    expect(resolveAppFile(rendererDir, 'file:///etc/passwd')).toBeUndefined();
    expect(resolveAppFile(rendererDir, 'lookalike-app://app/assets/style.css')).toBe(path.join(rendererDir, 'assets/style.css'));
  });

  it('is registered as a privileged standard scheme, next to lookalike-media, in Electron’s one call', async () => {
    const registered: Array<{ scheme: string; privileges: Record<string, boolean> }> = [];
    registerSchemes({ registerSchemesAsPrivileged: (s) => registered.push(...(s as typeof registered)) } as Pick<Protocol, 'registerSchemesAsPrivileged'>);
    expect(registered.map((s) => s.scheme)).toEqual(['lookalike-app', 'lookalike-media']);
    for (const s of registered) {
      expect(s.privileges).toMatchObject({ standard: true, secure: true });
      expect(s.privileges.bypassCSP).toBeUndefined();
    }
    const handlers = new Map<string, (r: Request) => Promise<Response>>();
    handleAppProtocol({ handle: (scheme: string, h: (r: Request) => Promise<Response>) => void handlers.set(scheme, h) } as unknown as Pick<Protocol, 'handle'>, rendererDir, csp);
    expect((await handlers.get('lookalike-app')!(new Request(APP_PAGE_URL))).status).toBe(200);
  });
});
