import type { ParseArgsConfig } from 'node:util';
import type { Db } from '../catalog/open-catalog.ts';

/** What every command gets: the parsed arguments, a lazily opened catalog, and its output streams. */
export interface CommandContext {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
  json: boolean;
  /** Opens the catalog on first use (`--db`, `$LOOKALIKE_HOME`, or the per-user folder). */
  catalog(): Db;
  catalogPath: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream | NodeJS.WritableStream;
  signal: AbortSignal;
}

/** One `lookalike` subcommand. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `lookalike NAME`. */
  usage: string;
  /** Extra help text: options and examples. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positionals it takes: [min, max]. */
  positionals: [number, number];
  /** Resolves with the exit code when it is not 0 (e.g. 130 for a job the user cancelled). */
  run(ctx: CommandContext): Promise<void | number>;
}

/** A mistake in how a command was called; the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** Writes exactly one JSON document and a newline. */
export function printJson(out: NodeJS.WritableStream, value: unknown): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/** A run id given on the command line (`RUN` or `--run RUN`), or a usage error naming where it came from. */
export function runIdArgument(raw: string, from: 'RUN' | '--run' = 'RUN'): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${from === 'RUN' ? 'RUN is' : '--run takes'} a run id, not "${raw}"`);
  return Number(raw);
}
