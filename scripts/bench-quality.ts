/**
 * Retrieval quality on the real evaluation sets, measured the way a user would get it: through the CLI.
 *
 *   npm run bench:quality -- [--sets brands,icons] [--seeds N] [--quick] [--eval-sets DIR] [--out FILE]
 *
 * Fixed protocol, per set and seed: a fresh temporary catalog (and LOOKALIKE_HOME, so nothing of the user's
 * is read or written); `lookalike import SET/train`; `lookalike train SET` with every default (only `--seed`
 * when several seeds are asked for, the first being the default 42; `--quick` adds `--epochs 3` for a smoke
 * run); `lookalike eval RUN --pairs SET/test --json`, which also measures the pHash and untrained baselines on
 * the same unseen test pairs. Prints ONE JSON object on stdout; progress goes to stderr.
 *
 * With several seeds "trained" and "train_seconds" are means and "trained_seeds" lists each seed's numbers.
 * "open_set" is eval's `open_set` object when eval reports one, else null.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { makeEvalSets } from './make-eval-sets.ts';
import { EVAL_SET_IDS, type EvalSetId } from './eval-sets/sources.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'lookalike.mjs');
/** The default seed of `lookalike train`; seed i of --seeds N is DEFAULT_SEED + i. */
const DEFAULT_SEED = 42;
const QUICK_EPOCHS = 3;

/** Retrieval numbers as eval's --json prints them (the subset the bench reports). */
export interface QualityScores {
  recall: { '1': number; '5': number; '10': number };
  mrr: number;
  roc_auc: number | null;
  tau: number | null;
  open_set: { false_match_rate: number; true_match_rate: number } | null;
}

/** One set's line of the bench's JSON. */
export interface SetResult {
  set: EvalSetId;
  train_pairs: number;
  test_pairs: number;
  backbone: string;
  epochs: number;
  trained: QualityScores;
  trained_seeds?: (QualityScores & { seed: number; train_seconds: number; run: number })[];
  baselines: { phash: QualityScores; untrained: QualityScores };
  train_seconds: number;
}

/** Runs the CLI; resolves with stdout, rejects with its stderr tail when it exits non-zero. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`lookalike ${args[0]} exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

/** The last JSON line a --json command printed (train prints one line per epoch before its run object). */
function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  if (!lines.length) throw new Error(`no JSON in output: ${stdout.slice(0, 200)}`);
  return JSON.parse(lines.at(-1)!) as T;
}

type EvalJson = Omit<QualityScores, 'open_set'> & { open_set?: QualityScores['open_set']; queries: number };

export function pickScores(e: EvalJson): QualityScores {
  return {
    recall: { '1': e.recall['1'], '5': e.recall['5'], '10': e.recall['10'] },
    mrr: e.mrr, roc_auc: e.roc_auc, tau: e.tau, open_set: e.open_set ?? null,
  };
}

/** Mean of each number over the seeds; open_set only when every seed has it. */
export function meanScores(all: QualityScores[]): QualityScores {
  const mean = (get: (s: QualityScores) => number | null): number | null => {
    const v = all.map(get);
    if (v.some((x) => x === null)) return null;
    return (v as number[]).reduce((a, b) => a + b, 0) / v.length;
  };
  const open = all.every((s) => s.open_set) ? {
    false_match_rate: mean((s) => s.open_set!.false_match_rate)!,
    true_match_rate: mean((s) => s.open_set!.true_match_rate)!,
  } : null;
  return {
    recall: { '1': mean((s) => s.recall['1'])!, '5': mean((s) => s.recall['5'])!, '10': mean((s) => s.recall['10'])! },
    mrr: mean((s) => s.mrr)!, roc_auc: mean((s) => s.roc_auc), tau: mean((s) => s.tau), open_set: open,
  };
}

async function benchSet(set: EvalSetId, folder: string, seeds: number, quick: boolean, log: (s: string) => void): Promise<SetResult> {
  const trainPairs = (await readdir(path.join(folder, 'train', 'left'))).length;
  const testPairs = (await readdir(path.join(folder, 'test', 'left'))).length;
  const perSeed: NonNullable<SetResult['trained_seeds']> = [];
  let baselines: SetResult['baselines'] | undefined;
  let backbone = '';
  let epochs = 0;
  for (let i = 0; i < seeds; i++) {
    const home = await mkdtemp(path.join(os.tmpdir(), `bench-quality-${set}-`));
    const env = { ...process.env, LOOKALIKE_HOME: home };
    const db = ['--db', path.join(home, 'catalog.sqlite')];
    try {
      log(`${set}: importing ${trainPairs} train pairs`);
      await cli(['import', path.join(folder, 'train'), '--name', set, ...db, '--json'], env);
      const seed = DEFAULT_SEED + i;
      const extra = [...(seeds > 1 ? ['--seed', String(seed)] : []), ...(quick ? ['--epochs', String(QUICK_EPOCHS)] : [])];
      log(`${set}: training (seed ${seed}${quick ? `, ${QUICK_EPOCHS} epochs` : ', defaults'})`);
      const started = performance.now();
      const { run } = lastJson<{ run: { id: number; status: string; epochsDone: number; config: { backbone: string } } }>(
        await cli(['train', set, ...db, '--json', ...extra], env));
      const trainSeconds = (performance.now() - started) / 1000;
      if (run.status !== 'done') {
        throw new Error(`${set}: run ${run.id} ended ${run.status}`);
      }
      backbone = run.config.backbone;
      epochs = run.epochsDone;
      log(`${set}: run ${run.id} trained in ${trainSeconds.toFixed(0)} s; evaluating on ${testPairs} test pairs`);
      const evalArgs = ['eval', String(run.id), '--pairs', path.join(folder, 'test'), ...db, '--json', ...(baselines ? ['--no-baselines'] : [])];
      const evaluation = lastJson<EvalJson & { baselines?: { phash: EvalJson; untrained: EvalJson } }>(await cli(evalArgs, env));
      if (!baselines && evaluation.baselines) {
        baselines = { phash: pickScores(evaluation.baselines.phash), untrained: pickScores(evaluation.baselines.untrained) };
      }
      perSeed.push({ seed, run: run.id, train_seconds: Math.round(trainSeconds), ...pickScores(evaluation) });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
  if (!baselines) throw new Error(`${set}: eval printed no baselines`);
  const result: SetResult = {
    set, train_pairs: trainPairs, test_pairs: testPairs, backbone, epochs,
    trained: meanScores(perSeed),
    baselines,
    train_seconds: Math.round(perSeed.reduce((a, s) => a + s.train_seconds, 0) / perSeed.length),
  };
  if (seeds > 1) result.trained_seeds = perSeed;
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: EVAL_SET_IDS.join(',') },
      seeds: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      'eval-sets': { type: 'string', default: path.join(ROOT, 'eval-sets') },
      out: { type: 'string' },
    },
  });
  const sets = values.sets.split(',').map((s) => s.trim()).filter(Boolean) as EvalSetId[];
  const unknown = sets.filter((s) => !(EVAL_SET_IDS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown set ${unknown.join(', ')}; known: ${EVAL_SET_IDS.join(', ')}`);
  const seeds = Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a positive integer, got ${values.seeds}`);
  const root = path.resolve(values['eval-sets']);
  const log = (s: string) => process.stderr.write(`bench:quality: ${s}\n`);
  const missing = sets.filter((s) => !existsSync(path.join(root, s, 'test', 'left')));
  if (missing.length) {
    log(`generating ${missing.join(', ')} into ${root}`);
    await makeEvalSets({ out: root, sets: missing });
  }
  const results: SetResult[] = [];
  for (const set of sets) {
    results.push(await benchSet(set, path.join(root, set), seeds, values.quick, log));
    // A long run that is stopped later still leaves each finished set's numbers behind.
    log(`${set} done: ${JSON.stringify(results.at(-1))}`);
  }
  const json = JSON.stringify({ protocol: { seeds, quick: values.quick }, sets: results });
  if (values.out) await writeFile(values.out, `${json}\n`);
  process.stdout.write(`${json}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:quality: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
