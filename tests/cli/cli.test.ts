import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SAMPLE_DIR } from '../../src-main/app-paths.ts';
import { imageBytes, noisyJpeg, tempDir, writeTree } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

let tmp: ReturnType<typeof tempDir>;
let home: string;

beforeEach(() => {
  tmp = tempDir();
  home = path.join(tmp.dir, 'home');
});
afterEach(() => tmp.cleanup());

const sampleNames = fs.readdirSync(path.join(SAMPLE_DIR, 'left')).filter((f) => !f.startsWith('.'));

describe('lookalike CLI', () => {
  it('imports the embedded sample with --json: one JSON object on stdout, into $LOOKALIKE_HOME/catalog.sqlite', async () => {
    const r = await runCli(['import', SAMPLE_DIR, '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(out).toMatchObject({ dataset: { id: 1, name: 'brands' }, pairs: sampleNames.length, added: sampleNames.length, problems: [] });
    expect(fs.existsSync(path.join(home, 'catalog.sqlite'))).toBe(true);

    const again = JSON.parse((await runCli(['import', SAMPLE_DIR, '--json'], { home })).stdout);
    expect(again).toMatchObject({ pairs: sampleNames.length, added: 0 });

    const datasets = JSON.parse((await runCli(['datasets', '--json'], { home })).stdout);
    expect(datasets).toEqual([expect.objectContaining({ name: 'brands', pairs: sampleNames.length, problems: 0 })]);
    const test = JSON.parse((await runCli(['pairs', 'brands', '--split', 'test', '--json'], { home })).stdout);
    expect(test.length).toBe(datasets[0].splits.test);
    expect(test.every((p: { split: string }) => p.split === 'test')).toBe(true);
  });

  it('prints a human summary listing each unusable file, and --db overrides the home folder', async () => {
    const folder = path.join(tmp.dir, 'mixed');
    writeTree(folder, {
      'left/ok.png': await imageBytes('png', '#f00'),
      'right/ok.jpg': await imageBytes('jpeg', '#f22'),
      'left/broken.png': 'not really a png',
      'right/broken.png': await imageBytes('png', '#0f0'),
    });
    const db = path.join(tmp.dir, 'elsewhere.sqlite');
    const r = await runCli(['--db', db, 'import', folder, '--name', 'Mixed bag'], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Imported "Mixed bag"');
    expect(r.stdout).toContain('1 pairs in the dataset');
    expect(r.stdout).toMatch(/left\/broken\.png: not an image: the file holds text/);
    expect(r.stdout).toMatch(/right\/broken\.png: its pair left\/broken\.png could not be used/);
    expect(fs.existsSync(db)).toBe(true);
    expect(fs.existsSync(path.join(home, 'catalog.sqlite'))).toBe(false);
    const problems = await runCli(['problems', 'Mixed bag', '--db', db, '--json'], { home });
    expect(JSON.parse(problems.stdout).map((p: { file: string }) => p.file)).toEqual(['broken.png', 'broken.png']);
  });

  it('fails with exit 1 and says which side is missing on a folder that is not a paired folder', async () => {
    fs.mkdirSync(path.join(tmp.dir, 'half', 'right'), { recursive: true });
    const r = await runCli(['import', path.join(tmp.dir, 'half'), '--json'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not a paired folder: left\/ is missing/);
    const none = await runCli(['import', path.join(tmp.dir, 'absent')], { home });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no such folder/);
  });

  it('rejects usage errors with exit 2 and the usage line', async () => {
    const cases: [string[], RegExp][] = [
      [['import'], /missing argument/],
      [['import', 'a', 'b'], /unexpected argument "b"/],
      [['import', 'a', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['pairs', 'x', '--split', 'holdout'], /--split takes one of train, val, test/],
      [['teleport'], /unknown command "teleport"/],
      [[], /Usage: lookalike/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { home });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // No catalog yet: a command that only reads says so and creates nothing.
    const noCatalog = await runCli(['pairs', 'nope', '--json'], { home });
    expect(noCatalog.code).toBe(1);
    expect(noCatalog.stderr).toMatch(/no catalog at .*import a dataset first/);
    expect(fs.existsSync(home)).toBe(false);
    fs.mkdirSync(home);
    new Database(path.join(home, 'catalog.sqlite')).close();
    const unknownDataset = await runCli(['pairs', 'nope', '--json'], { home });
    expect(unknownDataset.code).toBe(1);
    expect(unknownDataset.stderr).toMatch(/no dataset named "nope"/);
  });

  it('--help works for the CLI and for each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const c of ['import', 'datasets', 'pairs', 'problems', 'demo']) expect(top.stdout).toContain(`  ${c}`);
    const imp = await runCli(['import', '--help']);
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain('--name NAME');
  });

  it('reports a file it is not allowed to read, and goes on', async () => {
    const folder = path.join(tmp.dir, 'locked');
    writeTree(folder, {
      'left/a.png': await imageBytes('png', '#111'),
      'right/a.png': await imageBytes('png', '#112'),
      'left/secret.png': await imageBytes('png', '#113'),
      'right/secret.png': await imageBytes('png', '#114'),
    });
    fs.chmodSync(path.join(folder, 'left', 'secret.png'), 0o000);
    // root reads everything: run the CLI as an unprivileged user then, as a real analyst would be.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chmodSync(tmp.dir, 0o777);
    fs.mkdirSync(home, { recursive: true, mode: 0o777 });
    if (asRoot) fs.chmodSync(home, 0o777);
    const r = await runCli(['import', folder, '--json'], {
      home,
      spawn: asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, LOOKALIKE_HOME: home, HOME: tmp.dir } } : undefined,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.pairs).toBe(1);
    expect(out.problems).toContainEqual({ side: 'left', file: 'secret.png', code: 'UNREADABLE', reason: 'cannot read: permission denied' });
  });

  it('a crash (SIGKILL) in the middle of an import leaves the catalog as it was', async () => {
    const folder = path.join(tmp.dir, 'many');
    writeTree(folder, { 'left/first.png': await imageBytes('png', '#222'), 'right/first.png': await imageBytes('png', '#223') });
    expect((await runCli(['import', folder, '--json'], { home })).code).toBe(0);
    // Enough work that the import is still decoding when its first progress line appears (after one second).
    const big = await noisyJpeg(900, 900, 7);
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 300; i++) files[`left/n${i}.jpg`] = files[`right/n${i}.jpg`] = big;
    writeTree(folder, files);
    let killedAt = '';
    const r = await runCli(['import', folder], {
      home,
      onStderr: (chunk, kill) => {
        if (!killedAt && /decoding \[/.test(chunk)) {
          killedAt = chunk.trim();
          kill();
        }
      },
    });
    expect(killedAt, 'the import was killed while decoding').toMatch(/decoding/);
    expect(r.code).toBeNull();
    const db = new Database(path.join(home, 'catalog.sqlite'));
    try {
      expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) FROM pairs').pluck().get()).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });
});
