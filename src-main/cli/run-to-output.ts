import path from 'node:path';
import { runIdArgument, UsageError, type CommandContext } from './command.ts';
import { ProgressBar } from './progress-bar.ts';

/** What a step-by-step job that writes a run's output reports. */
export interface StepProgress {
  step: string;
  done: number;
  total: number;
}

/**
 * `RUN --out PATH [--force]` with a progress bar on stderr (none with --json), the shape `report` and `export`
 * share: checks the arguments, runs `work` with the resolved path, and finishes the bar whatever happens.
 */
export async function runToOutput<T>(
  ctx: CommandContext,
  what: 'FILE' | 'DIR',
  work: (runId: number, out: string, opts: { force: boolean; signal: AbortSignal; onProgress: (p: StepProgress) => void }) => Promise<T>,
): Promise<T> {
  const runId = runIdArgument(ctx.positionals[0]);
  const out = ctx.values.out as string | undefined;
  if (!out) throw new UsageError(`--out ${what} is required`);
  const bar = ctx.json ? undefined : new ProgressBar({ stream: ctx.err });
  try {
    return await work(runId, path.resolve(out), { force: Boolean(ctx.values.force), signal: ctx.signal, onProgress: (p) => bar?.update(p.step, p.done, p.total) });
  } finally {
    bar?.finish();
  }
}
