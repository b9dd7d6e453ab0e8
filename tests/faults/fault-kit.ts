import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { CLI } from '../helpers/run-cli.ts';
import { PACKAGE_ROOT } from '../../src-main/app-paths.ts';

/** What one killed command did: finished before the kill, or was killed at `afterMs`. */
export interface KillOutcome {
  killed: boolean;
  code: number | null;
  afterMs: number;
  stderr: string;
}

/**
 * Runs `lookalike ARGS` in its own process and sends it SIGKILL `afterMs` after the spawn (no cleanup code can
 * run: the power-cut case). The point is drawn by the caller from a seeded generator; any point is a valid test.
 */
export function runAndKill(args: string[], afterMs: number, env: NodeJS.ProcessEnv = {}): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: PACKAGE_ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, afterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: killed && signal === 'SIGKILL', code, afterMs, stderr });
    });
  });
}

/** Runs a command to its end and returns how long it took (the range the kill points are drawn from). */
export async function timeCommand(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const started = Date.now();
  const r = await runAndKill(args, 10 * 60_000, env);
  if (r.code !== 0) throw new Error(`lookalike ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return Date.now() - started;
}

/** `PRAGMA integrity_check` of a catalog file, from a fresh connection (as the next command would open it). */
export function integrity(file: string): string {
  const db = new Database(file);
  try {
    return (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

/** A fresh read connection for assertions. */
export function peek<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Tallies what the trials did, for the suite's figures. */
export class Tally {
  readonly rows: Array<{ area: string; trials: number; killedMidway: number; finishedFirst: number; seconds: number }> = [];
  add(area: string, outcomes: KillOutcome[], seconds: number): void {
    this.rows.push({ area, trials: outcomes.length, killedMidway: outcomes.filter((o) => o.killed).length, finishedFirst: outcomes.filter((o) => !o.killed).length, seconds: Math.round(seconds) });
  }
  print(): void {
    console.log(`fault figures: ${JSON.stringify(this.rows)}`);
  }
}
