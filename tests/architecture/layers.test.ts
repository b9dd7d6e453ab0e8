import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer order of src-main/, bottom to top. A module may import its own folder, or a folder of a strictly
 * lower rank — never one above it, never a sibling of the same rank (siblings that need each other share a
 * lower piece instead). src-shared/ (the contract and its types) is below everything.
 */
export const LAYERS: Record<string, number> = {
  '.': 0, // app-paths.ts, the worker boot shim
  catalog: 1, // all SQL: one repository per group of tables, blob codecs, run ownership
  ml: 1, // tensors, models, losses, vector maths and metrics; no SQL
  importer: 2, // reading, probing and importing image files
  'model-store': 3, // checkpoints, feature cache, backbone loading, embedders of stored runs
  training: 4,
  search: 4,
  eval: 4,
  report: 5,
  export: 5,
  handlers: 6,
  server: 7,
  electron: 7,
  cli: 8,
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SPECIFIER = /(?:from\s+|import\s*\(\s*|import\s+|new URL\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|mjs|vue)$/.test(e.name) ? [p] : [];
  });
}

/** Every relative import in a tree: [importing file, imported file], both relative to the repo root. */
export function relativeImports(dir: string): Array<[string, string]> {
  return sourceFiles(path.join(root, dir)).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)].map(
      (m) => [path.relative(root, file), path.relative(root, path.resolve(path.dirname(file), m[1]))] as [string, string],
    ),
  );
}

/** The top folder of src-main a path belongs to ('.' for files at its root), or the tree for paths outside it. */
export function layerOf(p: string): string {
  const parts = p.split(path.sep);
  if (parts[0] !== 'src-main') return parts[0];
  return parts.length === 2 ? '.' : parts[1];
}

/** The imports that break the layer order, as readable lines. */
export function layerViolations(imports: Array<[string, string]>): string[] {
  const out: string[] = [];
  for (const [from, to] of imports) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === b || b === 'src-shared') continue;
    const ra = LAYERS[a];
    const rb = LAYERS[b];
    if (ra === undefined) out.push(`${from}: folder ${a} has no layer in LAYERS`);
    else if (rb === undefined) out.push(`${from} → ${to}: ${b} is outside src-main's layers`);
    else if (rb >= ra) out.push(`${from} (${a}, layer ${ra}) → ${to} (${b}, layer ${rb})`);
  }
  return out;
}

describe('layers', () => {
  it('no module of src-main imports a higher layer or a sibling of its own layer', () => {
    const imports = relativeImports('src-main');
    expect(imports.length).toBeGreaterThan(100);
    expect(layerViolations(imports)).toEqual([]);
  });

  it('every top folder of src-main has a rank', () => {
    const folders = fs.readdirSync(path.join(root, 'src-main'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => LAYERS[f] === undefined)).toEqual([]);
  });

  it('the check catches an upward import and a sibling import', () => {
    expect(
      layerViolations([
        ['src-main/catalog/runs.ts', 'src-main/training/train-run.ts'],
        ['src-main/search/query-catalog.ts', 'src-main/eval/evaluate-folder.ts'],
        ['src-main/training/train-run.ts', 'src-main/catalog/runs.ts'],
        ['src-main/ml/head.ts', 'src-main/ml/mining.ts'],
      ]),
    ).toHaveLength(2);
  });

  it('the contract, the preload and the renderer never import main-process code', () => {
    const crossing = ['src-shared', 'src-preload', 'src-renderer'].flatMap((dir) =>
      relativeImports(dir).filter(([, to]) => to.startsWith('src-main')),
    );
    expect(crossing).toEqual([]);
  });
});
