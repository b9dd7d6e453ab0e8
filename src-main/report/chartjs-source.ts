import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Chart.js's browser build, read from node_modules so that a report needs no network to draw its charts. */
export interface ChartJsSource {
  code: string;
  version: string;
  file: string;
}

/** The UMD files Chart.js 4 ships, best first; they define `window.Chart` when run from a plain script tag. */
const UMD_FILES = ['chart.umd.min.js', 'chart.umd.js'];

/**
 * Reads Chart.js's UMD build. The package's `exports` map resolves `chart.js` to `dist/chart.cjs` (and hides
 * its package.json), so the UMD file is looked up beside that entry point.
 * @throws Error naming the folder searched when the package ships no UMD build.
 */
export function readChartJsUmd(): ChartJsSource {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const dist = path.dirname(entry);
  const file = UMD_FILES.map((f) => path.join(dist, f)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`chart.js ships no UMD build in ${dist} (looked for ${UMD_FILES.join(', ')})`);
  let version = 'unknown';
  try {
    version = String((JSON.parse(fs.readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as { version?: string }).version);
  } catch {
    // The version is only shown in the report's footer.
  }
  return { code: fs.readFileSync(file, 'utf8'), version, file };
}
