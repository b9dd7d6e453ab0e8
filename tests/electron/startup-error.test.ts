import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportStartupError, shortMessage, STARTUP_LOG } from '../../src-main/electron/startup-error.ts';
import { tempDir } from '../helpers/fixtures.ts';

const tmp = tempDir('lookalike-startup-');
afterAll(() => tmp.cleanup());

function fakeDeps(logDir: () => string) {
  const boxes: Array<{ title: string; content: string }> = [];
  let quits = 0;
  return { boxes, quits: () => quits, deps: { showErrorBox: (title: string, content: string) => void boxes.push({ title, content }), logDir, quit: () => void quits++ } };
}

describe('Electron: start-up errors', () => {
  it('show a short message and where the log is — no stack — and keep the stack in the log', () => {
    const logDir = path.join(tmp.dir, 'logs');
    const f = fakeDeps(() => logDir);
    const error = new Error('the training worker could not be found\n    at Object.<anonymous> (/app/out/main/index.js:1:2)');
    reportStartupError(f.deps, 'Lookalike could not start', error);
    expect(f.boxes).toHaveLength(1);
    const { title, content } = f.boxes[0];
    expect(title).toBe('Lookalike could not start');
    expect(content).toBe(`the training worker could not be found\n\nDetails are in ${path.join(logDir, STARTUP_LOG)}`);
    expect(content).not.toMatch(/\bat .*:\d+:\d+/);
    const log = fs.readFileSync(path.join(logDir, STARTUP_LOG), 'utf8');
    expect(log).toContain('Lookalike could not start');
    expect(log).toContain(error.stack!.split('\n')[1].trim());
    expect(f.quits()).toBe(1);
  });

  it('still tells the user (without a log line) when the log cannot be written', () => {
    const f = fakeDeps(() => {
      throw new Error('no logs path yet');
    });
    reportStartupError(f.deps, 'Lookalike could not start', 'plain string');
    expect(f.boxes[0].content).toBe('plain string');
    expect(f.quits()).toBe(1);
  });

  it('cut long or empty messages to something a dialog can show', () => {
    expect(shortMessage(new Error('x'.repeat(1000)))).toHaveLength(301);
    expect(shortMessage(new Error(''))).toBe('an unexpected error');
    expect(shortMessage({ weird: true })).toBe('an unexpected error');
    expect(shortMessage(new Error('\n\n  first real line\nsecond'))).toBe('first real line');
  });
});
