import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src-main/app-paths.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { CLI, runCli } from '../helpers/run-cli.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('lookalike-serve-')));
afterEach(() => tmp.cleanup());

describe('lookalike serve', () => {
  it('prints the address with its token, serves with it, refuses without it, and stops cleanly on Ctrl-C', async () => {
    const db = path.join(tmp.dir, 'catalog.sqlite');
    const child = spawn(process.execPath, [CLI, '--db', db, 'serve', '--json'], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
      });
      child.once('close', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const info = JSON.parse(line) as { url: string; port: number; token: string; catalog: string };
    expect(info.url).toBe(`http://127.0.0.1:${info.port}/?token=${info.token}`);
    expect(info.token.length).toBeGreaterThanOrEqual(40);
    expect(info.catalog).toBe(db);

    expect((await fetch(`http://127.0.0.1:${info.port}/media/thumb/1`)).status).toBe(403);
    // Authorised: an empty catalog has no image 1.
    expect((await fetch(`http://127.0.0.1:${info.port}/media/thumb/1?token=${info.token}`)).status).toBe(404);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/stopping the server…\nstopped/);
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(info.port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('refuses a bad --port (exit 2) and a port in use (exit 1, saying so)', async () => {
    const bad = await runCli(['--db', path.join(tmp.dir, 'c.sqlite'), 'serve', '--port', 'http'], { home: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port takes a port number/);

    const taken = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['--db', path.join(tmp.dir, 'c.sqlite'), 'serve', '--port', String(port)], { home: tmp.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`port ${port} is already in use`));
    } finally {
      taken.close();
    }
  });
});
