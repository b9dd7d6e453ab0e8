import fs from 'node:fs';
import path from 'node:path';
import { catalogDataDir } from '../catalog/catalog-path.ts';
import { RESNET50_NOTOP_WEIGHTS } from '../ml/backbones/weights-cache.ts';

/** The kinds of file Lookalike generates for a catalog, each in its own folder under `<catalog>.d/`. */
export type GeneratedKind = 'augment' | 'models';

/** Where generated files of one kind live for the catalog at `catalogPath`. */
export function generatedDir(catalogPath: string, kind: GeneratedKind): string {
  return path.join(catalogDataDir(catalogPath), kind);
}

/** The names earlier versions wrote loose beside the catalog: only these are ever moved. */
const LEGACY_AUGMENT_FILE = /^[0-9a-f]{16}-\d+-\d+\.jpg$/;

/**
 * Moves what earlier versions generated beside the catalog (`augment/`, `models/`) into `<catalog>.d/`, file by
 * file and only files named as Lookalike names them, so a folder of the user's that happens to be called
 * `models/` is left as it is. Cheap when there is nothing to move; failures leave files where they were.
 */
export function adoptLegacyGeneratedFiles(catalogPath: string): void {
  const besides = path.dirname(path.resolve(catalogPath));
  const moves: Array<[GeneratedKind, (name: string) => boolean]> = [
    ['augment', (n) => LEGACY_AUGMENT_FILE.test(n)],
    ['models', (n) => n === RESNET50_NOTOP_WEIGHTS.fileName],
  ];
  for (const [kind, ours] of moves) {
    const from = path.join(besides, kind);
    let names: string[];
    try {
      names = fs.readdirSync(from).filter(ours);
    } catch {
      continue;
    }
    if (!names.length) continue;
    const to = generatedDir(catalogPath, kind);
    try {
      fs.mkdirSync(to, { recursive: true });
      for (const n of names) if (!fs.existsSync(path.join(to, n))) fs.renameSync(path.join(from, n), path.join(to, n));
      if (!fs.readdirSync(from).length) fs.rmdirSync(from);
    } catch {
      // Another device or no permission: the old files stay usable where they are, the new ones go to `to`.
    }
  }
}
