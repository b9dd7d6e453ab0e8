import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../src-main/app-paths.ts';

export const CLI = path.join(PACKAGE_ROOT, 'bin', 'lookalike.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lookalike ARGS` as a user would (a separate Node process), with LOOKALIKE_HOME pointed at `home`. */
export function runCli(
  args: string[],
  opts: { home?: string; spawn?: SpawnOptions; onStderr?: (chunk: string, kill: () => void) => void; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, LOOKALIKE_HOME: opts.home ?? process.env.LOOKALIKE_HOME, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...opts.spawn,
    });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(String(d), () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs `lookalike ARGS` in this process (the CLI's main(), same parsing, same output), for tests where a
 * separate Node process is not the point: a process costs seconds of start-up on a loaded machine.
 */
export async function runMain(args: string[], opts: { home?: string } = {}): Promise<CliResult> {
  const { main } = await import('../../src-main/cli/main.ts');
  let stdout = '';
  let stderr = '';
  const out = { write: (s: string | Uint8Array) => ((stdout += String(s)), true) } as unknown as NodeJS.WritableStream;
  const err = { write: (s: string | Uint8Array) => ((stderr += String(s)), true) } as unknown as NodeJS.WritableStream;
  const env = { ...process.env, LOOKALIKE_HOME: opts.home ?? process.env.LOOKALIKE_HOME, NO_COLOR: '1' };
  // A signal of our own: main() then leaves this process's SIGINT alone.
  const code = await main(args, { out, err, env, signal: new AbortController().signal });
  return { code, stdout, stderr };
}
