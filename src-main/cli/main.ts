import { parseArgs } from 'node:util';
import { openCatalog, type Db } from '../catalog/open-catalog.ts';
import { resolveCatalogPath } from '../catalog/catalog-path.ts';
import { UsageError, type Command, type CommandContext } from './command.ts';
import { importCommand } from './commands/import-command.ts';
import { datasetsCommand, pairsCommand, problemsCommand } from './commands/datasets-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { resumeCommand, trainCommand } from './commands/train-command.ts';
import { runsCommand } from './commands/runs-command.ts';
import { serveCommand } from './commands/serve-command.ts';
import { feedbackCommand, queryCommand } from './commands/query-command.ts';
import { evalCommand } from './commands/eval-command.ts';
import { reportCommand } from './commands/report-command.ts';
import { exportCommand } from './commands/export-command.ts';
import { removeCommand, renameCommand } from './commands/remove-command.ts';

const COMMANDS: Command[] = [importCommand, datasetsCommand, pairsCommand, problemsCommand, trainCommand, runsCommand, resumeCommand, queryCommand, feedbackCommand, evalCommand, reportCommand, exportCommand, removeCommand, renameCommand, serveCommand, demoCommand];

/** The commands that may create the catalog (and its folder); every other one refuses a missing catalog. */
const CREATES_CATALOG = new Set(['import', 'serve', 'demo']);

const GLOBAL_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `lookalike — brand-image similarity search

Usage: lookalike [--db FILE] COMMAND [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global options:
  --db FILE   the catalog to use (default: $LOOKALIKE_HOME/catalog.sqlite, else the per-user data folder)
  --json      machine-readable output on stdout (progress and messages go to stderr)
  -h, --help  help for lookalike or for one command

Run "lookalike COMMAND --help" for a command's options.
`;
}

function commandHelp(c: Command): string {
  return `lookalike ${c.name} ${c.usage}\n\n${c.summary}.\n\n${c.help}\n  --db FILE   the catalog to use\n`;
}

export interface MainIo {
  out?: NodeJS.WritableStream;
  err?: NodeJS.WriteStream | NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/**
 * Runs the CLI and returns the exit code: 0 done, 1 the job failed (a message says why), 2 usage error,
 * 130 interrupted. Never throws.
 */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  const name = argv.find((a) => !a.startsWith('-') && !isGlobalValue(argv, a));
  const command = COMMANDS.find((c) => c.name === name);
  if (!name) {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      (argv.length === 0 ? err : out).write(overview());
      return argv.length === 0 ? 2 : 0;
    }
  }
  if (!command) {
    err.write(`lookalike: unknown command "${name ?? argv.join(' ')}"\n\n${overview()}`);
    return 2;
  }
  let db: Db | undefined;
  const controller = new AbortController();
  // Ctrl-C and SIGTERM (a service manager, `kill`, a container stopping) both cancel the job cleanly: an import
  // leaves the catalog unchanged, a training run ends `cancelled` and resumable, `serve` stops its jobs and exits.
  // Listening once: a second signal while the job winds down gets Node's default, an immediate exit.
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    controller.abort(Object.assign(new Error(`interrupted (${signal})`), { code: 'CANCELLED' }));
  };
  if (!io.signal) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  try {
    const rest = argv.filter((a, i) => i !== argv.indexOf(name!));
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
    }
    if (parsed.values.help) {
      out.write(commandHelp(command));
      return 0;
    }
    const [min, max] = command.positionals;
    if (parsed.positionals.length < min) throw new UsageError(`missing argument: lookalike ${command.name} ${command.usage}`);
    if (parsed.positionals.length > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
    const catalogPath = resolveCatalogPath(parsed.values.db as string | undefined, io.env ?? process.env);
    const ctx: CommandContext = {
      positionals: parsed.positionals,
      values: parsed.values as CommandContext['values'],
      json: Boolean(parsed.values.json),
      catalogPath,
      catalog: () => (db ??= openCatalog(catalogPath, { mustExist: !CREATES_CATALOG.has(command.name) })),
      out,
      err,
      signal: io.signal ?? controller.signal,
    };
    return (await command.run(ctx)) ?? 0;
  } catch (e) {
    const error = e as Error & { code?: string };
    if (error instanceof UsageError) {
      err.write(`lookalike ${command.name}: ${error.message}\nusage: lookalike ${command.name} ${command.usage}\n`);
      return 2;
    }
    if (controller.signal.aborted || io.signal?.aborted) {
      err.write(`\nlookalike ${command.name}: cancelled; the catalog is unchanged by the unfinished step\n`);
      return 130;
    }
    err.write(`\nlookalike ${command.name}: ${error.message}\n`);
    if (process.env.LOOKALIKE_DEBUG) err.write(`${error.stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    db?.close();
  }
}

/** True when `arg` is the value of a global option such as `--db FILE`, not a command name. */
function isGlobalValue(argv: string[], arg: string): boolean {
  const i = argv.indexOf(arg);
  return i > 0 && argv[i - 1] === '--db';
}
