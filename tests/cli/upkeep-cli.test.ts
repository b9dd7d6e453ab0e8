import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';
import { snapshotTree } from '../upkeep/upkeep-fixture.ts';

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
});
