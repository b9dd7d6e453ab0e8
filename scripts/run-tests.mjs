#!/usr/bin/env node
/**
 * `npm test`: every stage runs even when an earlier one fails (an `&&` chain once skipped the end-to-end tests
 * silently), then one summary with each stage's counts; the exit code is non-zero if any stage failed.
 *
 *   node scripts/run-tests.mjs            typecheck, unit, e2e, faults
 *   node scripts/run-tests.mjs unit e2e   only those stages
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-tests-'));

/** A vitest stage writes its counts as JSON beside its usual output. */
const vitest = (config, name) => [bin('vitest'), ['run', ...(config ? ['-c', config] : []), '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(reports, `${name}.json`)}`]];

const STAGES = {
  typecheck: { steps: [[bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']], [bin('vue-tsc'), ['--noEmit', '-p', 'tsconfig.web.json']]] },
  unit: { steps: [vitest(undefined, 'unit')] },
  e2e: { steps: [[bin('electron-vite'), ['build']], vitest('vitest.e2e.config.ts', 'e2e')] },
  faults: { steps: [vitest('vitest.faults.config.ts', 'faults')] },
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(STAGES);
const results = [];
for (const name of wanted) {
  const stage = STAGES[name];
  if (!stage) {
    console.error(`run-tests: unknown stage "${name}" (stages: ${Object.keys(STAGES).join(', ')})`);
    process.exit(2);
  }
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  let ok = true;
  for (const [cmd, args] of stage.steps) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      ok = false;
      if (r.error) console.error(`run-tests: ${cmd}: ${r.error.message}`);
      break; // a failed build leaves nothing for its tests to run on
    }
  }
  results.push({ name, ok, seconds: (Date.now() - started) / 1000, counts: readCounts(name) });
}

console.log('\n=== summary ===');
for (const r of results) {
  const c = r.counts;
  const counts = c ? `${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''} of ${c.total} tests` : r.ok ? 'ok' : 'did not finish (see above)';
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(9)} ${counts}  (${r.seconds.toFixed(0)} s)`);
}
// One plain closing line over every stage that counted its tests, for readers of the log's last lines (CI).
const counted = results.filter((r) => r.counts);
const sum = (k) => counted.reduce((n, r) => n + (r.counts[k] ?? 0), 0);
console.log(`tests: ${sum('passed')} passed, ${sum('failed') + results.filter((r) => !r.ok && !r.counts).length} failed`);
fs.rmSync(reports, { recursive: true, force: true });
process.exit(results.every((r) => r.ok) ? 0 : 1);

function readCounts(name) {
  try {
    const j = JSON.parse(fs.readFileSync(path.join(reports, `${name}.json`), 'utf8'));
    return { total: j.numTotalTests, passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + (j.numTodoTests ?? 0) };
  } catch {
    return undefined;
  }
}
