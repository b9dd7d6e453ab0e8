import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.ts';
import { TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type NumberOption, type TrainOption } from '../../src-shared/train-options.ts';
import { tempDir } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function sink() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream, text: () => text };
}

/** Runs the CLI in this process (no catalog is touched by --help or a usage error). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await main(['--db', `${tmp.dir}/catalog.sqlite`, ...args], { out: out.stream, err: err.stream, signal: new AbortController().signal });
  return { code, out: out.text(), err: err.text() };
}

const OPTIONS: [string, TrainOption][] = TRAIN_OPTION_KEYS.map((k) => [k, TRAIN_OPTIONS[k]]);
const NUMERIC = OPTIONS.filter((e): e is [string, NumberOption] => e[1].kind === 'number');
/** Flags of `train` that are not hyperparameters: the weights file, output format, the catalog. */
const NOT_HYPERPARAMETERS = ['weights', 'download-weights', 'json', 'db'];

describe('lookalike train --help', () => {
  it('lists exactly the registry\'s options, each with its help sentence and default', async () => {
    const { code, out } = await cli(['train', '--help']);
    expect(code).toBe(0);
    const listed = [...out.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((m) => m[1]);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((f) => !NOT_HYPERPARAMETERS.includes(f)).sort()).toEqual(OPTIONS.map(([, o]) => o.flag).sort());
    const flat = out.replace(/\s+/g, ' ');
    for (const [key, option] of OPTIONS) {
      expect(flat, key).toContain(option.help);
      if (option.kind !== 'boolean' && option.default !== null) expect(flat, key).toContain(`(default ${option.default})`);
    }
    // The usage line names every flag too.
    const usage = out.split('\n')[0];
    for (const [, option] of OPTIONS) expect(usage).toContain(`[--${option.flag}`);
    // Today's defaults, unchanged: the ones users and the README know.
    expect(flat).toMatch(/--epochs N .*\(default 30\)/);
    expect(flat).toMatch(/--lr X .*\(default 0\.001\)/);
    expect(flat).toMatch(/--mining M .*\(default hard\)/);
    expect(flat).toMatch(/--distance D .*\(default cosine\)/);
    expect(flat).toMatch(/--augment N .*\(default 2\)/);
  });
});

describe('bounds of train flags', () => {
  it('refuses --epochs 1e9 with exit 2 and a message naming the flag, before any work (a real process)', async () => {
    const r = await runCli(['train', 'no-such-dataset', '--epochs', '1e9'], { home: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lookalike train: --epochs must be a whole number ≥ 1 and at most 1000, not 1000000000/);
    expect(r.stderr).not.toMatch(/backend|dataset/);
  });

  it.each(NUMERIC)('refuses %s above its maximum, below its minimum and (if whole) fractional', async (_key, option) => {
    const flag = `--${option.flag}`;
    const bad = [option.max * 10 + 1, option.min - 1, ...(option.minExclusive ? [option.min] : []), ...(option.maxExclusive ? [option.max] : [])];
    if (option.integer) bad.push(option.min + 0.5);
    for (const value of bad) {
      // `=`: parseArgs takes "-1" after a space for another option.
      const r = await cli(['train', 'tiny', `${flag}=${value}`]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.err, `${flag} ${value}`).toMatch(new RegExp(`^lookalike train: ${flag} must be .*, not ${value}\\n`));
    }
  });

  it('refuses choices outside the registry, naming the flag and the choices', async () => {
    for (const [, option] of OPTIONS) {
      if (option.kind !== 'choice') continue;
      const r = await cli(['train', 'tiny', `--${option.flag}`, 'nonsense']);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--${option.flag} takes one of ${option.choices.join(', ')}, not "nonsense"`);
    }
    const ev = await cli(['eval', '--baseline', 'untrained', '--backbone', 'vgg16', '--pairs', tmp.dir]);
    expect(ev.code).toBe(2);
    expect(ev.err).toContain('--backbone takes one of resnet50, mobilenetv2, not "vgg16"');
  });
});
