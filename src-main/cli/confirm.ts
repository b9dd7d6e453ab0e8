import readline from 'node:readline/promises';
import { UsageError } from './command.ts';

/** Where a confirmation is asked: a terminal on stdin, and stderr for the question. */
export interface ConfirmIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/**
 * Asks "…? [y/N]" on the terminal and resolves true only for y/yes. Without a terminal on stdin (a script, a
 * pipe) nobody can answer, so it refuses with a usage error that names `--yes`, instead of guessing.
 */
export async function confirm(question: string, io: ConfirmIo = { input: process.stdin, output: process.stderr }): Promise<boolean> {
  if (!io.input.isTTY) throw new UsageError('nobody can confirm this here (stdin is not a terminal): add --yes to remove without asking');
  const rl = readline.createInterface({ input: io.input, output: io.output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
