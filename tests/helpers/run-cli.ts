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
