import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { snapshotTree } from '../upkeep/upkeep-fixture.ts';
import { openCatalog } from '../../src-main/catalog/open-catalog.ts';
import { createRun } from '../../src-main/catalog/runs.ts';
import type { TrainConfig } from '../../src-shared/training-types.ts';

let tmp: ReturnType<typeof tempDir>;
let home: string;
let folder: string;

beforeAll(async () => {
  tmp = tempDir();
  home = path.join(tmp.dir, 'home');
  folder = await makeTinyPairedFolder(path.join(tmp.dir, 'logos'), 3);
});
afterAll(() => tmp.cleanup());

describe('lookalike remove / rename', () => {
  it('refuses to remove without --yes when nobody can confirm, renames, removes with --yes, and leaves the folder byte-identical', async () => {
    const before = snapshotTree(folder);
    expect((await runCli(['import', folder, '--name', 'logos'], { home })).code).toBe(0);

    const refused = await runCli(['remove', 'dataset', 'logos'], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('3 pairs');
    expect(refused.stderr).toContain('--yes');

    const renamed = await runCli(['rename', 'dataset', 'logos', 'brands'], { home });
    expect(renamed.stdout).toContain('Renamed dataset "logos" to "brands"');

    const removed = await runCli(['--json', 'remove', 'dataset', 'brands', '--yes'], { home });
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ dataset: { name: 'brands', root: folder }, pairs: 3, images: 6, runs: [] });
    const listed = await runCli(['--json', 'datasets'], { home });
    expect(JSON.parse(listed.stdout)).toEqual([]);
    expect(snapshotTree(folder)).toEqual(before);

    const missing = await runCli(['remove', 'run', '42', '--yes'], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run 42');
  });

  it('names a run, shows the name in `runs`, takes it away with "", and refuses a bad run or name', async () => {
    const runHome = path.join(tmp.dir, 'run-home');
    expect((await runCli(['import', folder, '--name', 'logos'], { home: runHome })).code).toBe(0);
    const db = openCatalog(path.join(runHome, 'catalog.sqlite'));
    const runId = createRun(db, 1, { backbone: 'mobilenetv2', mode: 'head', epochs: 1, mining: 'hard', distance: 'cosine' } as TrainConfig, 'wasm (cpu)', 'bundled');
    db.close();

    const named = await runCli(['rename', 'run', String(runId), 'first try'], { home: runHome });
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(`Named run ${runId} "first try"`);
    expect((await runCli(['runs'], { home: runHome })).stdout).toContain(`run ${runId} "first try"`);
    const json = await runCli(['--json', 'runs'], { home: runHome });
    expect(JSON.parse(json.stdout)[0].name).toBe('first try');

    const cleared = await runCli(['--json', 'rename', 'run', String(runId), ''], { home: runHome });
    expect(JSON.parse(cleared.stdout)).toEqual({ id: runId, oldName: 'first try', name: null });

    const missing = await runCli(['rename', 'run', '99', 'x'], { home: runHome });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run 99');
    const bad = await runCli(['rename', 'run', String(runId), 'a\tb'], { home: runHome });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('control characters');
    const wrong = await runCli(['rename', 'model', '1', 'x'], { home: runHome });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('"run RUN NEW"');
  });
});
