import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli, runMain } from '../helpers/run-cli.ts';
import { makeTinyPairedFolder } from '../helpers/tiny-dataset.ts';

let tmp: ReturnType<typeof tempDir>;
let home: string;

beforeAll(async () => {
  tmp = tempDir();
  home = path.join(tmp.dir, 'home');
  const folder = await makeTinyPairedFolder(path.join(tmp.dir, 'tiny'), 16);
  expect((await runMain(['import', folder, '--json'], { home })).code).toBe(0);
});
afterAll(() => tmp.cleanup());

// One real process, for what only a process shows (stdout holds JSON lines and nothing else); everything else runs
// through main() in this process: eight CLI start-ups in one test took 43 s on a loaded 2-core machine.
it('train --json prints one JSON line per epoch, then the run; runs lists it; resume refuses a finished run', async () => {
  const r = await runCli(['train', 'tiny', '--backbone', 'mobilenetv2', '--epochs', '2', '--batch-size', '6', '--mining', 'hard', '--augment', '0', '--json'], { home });
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatchObject({ epoch: 1, loss: expect.any(Number) });
  expect(lines[0]).toHaveProperty('val_loss');
  expect(lines[1].epoch).toBe(2);
  expect(lines[2].run).toMatchObject({ id: 1, status: 'done', epochsDone: 2, config: { backbone: 'mobilenetv2', mining: 'hard', batchSize: 6 } });
  // The backend is always said, on stderr, so stdout stays JSON.
  expect(r.stderr).toMatch(/backend: (wasm|cpu|tensorflow)/);

  const runs = JSON.parse((await runMain(['runs', '--json'], { home })).stdout);
  expect(runs).toHaveLength(1);
  expect(runs[0].epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
  const human = await runMain(['runs'], { home });
  expect(human.stdout).toMatch(/run 1 {2}done {2}dataset "tiny" {2}2\/2 epochs/);

  const again = await runMain(['resume', '1'], { home });
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/run 1 is already done/);

  // query --json: one object, ranked hits with the fields a script needs; the query image's own pair is named.
  const query = await runMain(['query', path.join(tmp.dir, 'tiny', 'right', 'logo02.jpg'), '--side', 'left', '--top', '3', '--json'], { home });
  expect(query.code, query.stderr).toBe(0);
  const q = JSON.parse(query.stdout);
  expect(q).toMatchObject({ runId: 1, tau: expect.any(Number), queryPair: { pairName: 'logo02.png', side: 'right' } });
  expect(q.hits).toHaveLength(3);
  expect(q.hits[0]).toMatchObject({ rank: 1, side: 'left', score: expect.any(Number), match: expect.any(Boolean), path: expect.stringContaining('logo') });

  // eval --json on an outside folder: the documented fields, and both baselines beside the run.
  const outside = await makeTinyPairedFolder(path.join(tmp.dir, 'outside'), 5);
  const ev = await runMain(['eval', '1', '--pairs', outside, '--json'], { home });
  expect(ev.code, ev.stderr).toBe(0);
  const e = JSON.parse(ev.stdout);
  expect(e).toMatchObject({ run: 1, queries: 5, gallery: 5, recall: { '1': expect.any(Number), '5': 1, '10': 1 }, mrr: expect.any(Number), roc_auc: expect.any(Number) });
  expect(e).toHaveProperty('tau');
  expect(Object.keys(e.baselines)).toEqual(['phash', 'untrained']);
  const humanEval = await runMain(['eval', '1', '--pairs', outside], { home });
  expect(humanEval.stdout).toMatch(/run 1 +pHash +untrained mobilenetv2/);
  const ph = await runMain(['eval', '--baseline', 'phash', '--pairs', outside, '--json'], { home });
  expect(JSON.parse(ph.stdout)).toMatchObject({ baseline: 'phash', queries: 5 });
});

it('rejects bad training flags with exit 2 before any work', async () => {
  for (const [args, message] of [
    [['train', 'tiny', '--mining', 'hardest'], /--mining takes one of random, semihard, hard/],
    [['train', 'tiny', '--epochs', 'many'], /--epochs takes a number/],
    [['resume', 'abc'], /RUN is a run id/],
    [['eval', '1'], /--pairs FOLDER is required/],
    [['eval', '1', '--baseline', 'phash', '--pairs', '.'], /either a RUN or --baseline/],
    [['query', 'x.png', '--side', 'middle'], /--side takes left or right/],
    [['feedback', 'x.png', '7', 'maybe'], /match, not-a-match or clear/],
  ] as [string[], RegExp][]) {
    const r = await runMain(args, { home });
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(message);
  }
  const unknown = await runMain(['train', 'nope', '--backbone', 'mobilenetv2'], { home });
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/no dataset named "nope"/);
});
