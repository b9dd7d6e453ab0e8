#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so `npx lookalike` works right after `npm ci`
// with no build step, on the same service code the desktop app bundles.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
