import type { Side } from '../../../src-shared/catalog-types.ts';

/** What a side of a pair is, in the user's words: left/ holds the logos, right/ their look-alikes. */
export function sideWord(side: Side): 'logo' | 'look-alike' {
  return side === 'left' ? 'logo' : 'look-alike';
}

/** A file's name as it is on disk (the last part of its path, either separator). */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
