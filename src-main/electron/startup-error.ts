import fs from 'node:fs';
import path from 'node:path';

/** What reporting a start-up error needs from Electron (`dialog.showErrorBox`, `app.getPath('logs')`, `app.quit`). */
export interface StartupErrorDeps {
  showErrorBox(title: string, content: string): void;
  /** Where the log goes; a function, since Electron may be unable to say (then there is no log). */
  logDir(): string;
  quit(): void;
}

/** The file start-up errors are written to, stack included. */
export const STARTUP_LOG = 'lookalike-startup.log';

const MAX_MESSAGE_CHARS = 300;

/** The first line of an error's message, without its stack and cut short: what a person can read in a dialog. */
export function shortMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
  const line = raw.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  if (!line) return 'an unexpected error';
  return line.length > MAX_MESSAGE_CHARS ? `${line.slice(0, MAX_MESSAGE_CHARS)}…` : line;
}

/**
 * Tells the user the app cannot start — a short message and where the details are — writes the details (stack
 * included) to the log, and quits. A stack trace in a dialog helps nobody who reads it and shows the app's insides.
 */
export function reportStartupError(deps: StartupErrorDeps, title: string, e: unknown): void {
  let logFile: string | undefined;
  try {
    const dir = deps.logDir();
    fs.mkdirSync(dir, { recursive: true });
    logFile = path.join(dir, STARTUP_LOG);
    const details = e instanceof Error ? (e.stack ?? e.message) : String(e);
    fs.appendFileSync(logFile, `${new Date().toISOString()} ${title}\n${details}\n\n`);
  } catch {
    logFile = undefined;
  }
  deps.showErrorBox(title, `${shortMessage(e)}${logFile ? `\n\nDetails are in ${logFile}` : ''}`);
  deps.quit();
}
