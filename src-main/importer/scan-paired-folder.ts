import fs from 'node:fs/promises';
import path from 'node:path';
import type { Side } from '../catalog/datasets.ts';
import type { ImportProblem } from './problem-codes.ts';

/** Extensions Lookalike decodes (sharp), compared case-insensitively. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.svg']);

/** Names the operating systems and their file managers leave behind. */
const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', 'ehthumbs.db', 'icon\r']);

/** A folder that is not a paired folder, with what is missing. */
export class NotPairedFolderError extends Error {
  readonly code = 'NOT_PAIRED_FOLDER';
}

/** A file that may become one side of a pair. */
export interface Candidate {
  side: Side;
  /** The file's name inside its side folder, Unicode-normalised (NFC) so macOS and Linux names match. */
  name: string;
  path: string;
}

/** Two candidates with the same name, and the pair name (the left file's name). */
export interface MatchedPair {
  name: string;
  left: Candidate;
  right: Candidate;
}

export interface ScanResult {
  root: string;
  pairs: MatchedPair[];
  problems: ImportProblem[];
}

/**
 * Lists `root/left` and `root/right`, sorts out what cannot be an image (with a reason each), and matches the
 * rest by name: the same file name first; then, for files left over, the same name without extension when that
 * is unambiguous on both sides (a `logo.png` beside its look-alike `logo.jpg`). Reads no image content.
 */
export async function scanPairedFolder(folder: string): Promise<ScanResult> {
  const root = path.resolve(folder);
  const rootStat = await fs.stat(root).catch((e: NodeJS.ErrnoException) => {
    throw new NotPairedFolderError(`${root}: ${e.code === 'ENOENT' ? 'no such folder' : e.message}`);
  });
  if (!rootStat.isDirectory()) throw new NotPairedFolderError(`${root} is not a folder`);
  const missing: string[] = [];
  for (const side of ['left', 'right'] as const) {
    const s = await fs.stat(path.join(root, side)).catch(() => undefined);
    if (!s?.isDirectory()) missing.push(`${side}/`);
  }
  if (missing.length) {
    throw new NotPairedFolderError(
      `${root} is not a paired folder: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing ` +
        `(expected ${path.join(root, 'left')} and ${path.join(root, 'right')}, the same file name on both sides for each pair)`,
    );
  }
  const problems: ImportProblem[] = [];
  const left = await listSide(root, 'left', problems);
  const right = await listSide(root, 'right', problems);
  const pairs = matchByName(left, right, problems);
  explainPartners(problems);
  return { root, pairs, problems };
}

async function listSide(root: string, side: Side, problems: ImportProblem[]): Promise<Candidate[]> {
  const dir = path.join(root, side);
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new NotPairedFolderError(`cannot list ${dir}: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  });
  const out: Candidate[] = [];
  for (const entry of entries) {
    const name = entry.name.normalize('NFC');
    const full = path.join(dir, entry.name);
    const problem = (code: ImportProblem['code'], reason: string) => problems.push({ side, file: name, code, reason });
    const lower = name.toLowerCase();
    if (name.startsWith('.') || SYSTEM_FILES.has(lower)) {
      problem('HIDDEN_FILE', 'hidden or system file, skipped');
      continue;
    }
    let stat;
    try {
      stat = await fs.stat(full); // follows symlinks: a link to a good image is a good image
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && entry.isSymbolicLink()) {
        const target = await fs.readlink(full).catch(() => '?');
        problem('DANGLING_SYMLINK', `symbolic link to ${target}, which does not exist`);
      } else if (code === 'ELOOP') problem('SYMLINK_LOOP', 'symbolic link loop (the link points back to itself)');
      else if (code === 'EACCES' || code === 'EPERM') problem('UNREADABLE', 'cannot read: permission denied');
      else problem('UNREADABLE', `cannot read: ${(e as Error).message}`);
      continue;
    }
    const ext = path.extname(lower);
    if (stat.isDirectory()) {
      if (IMAGE_EXTENSIONS.has(ext)) problem('DIRECTORY', `a folder named like an image (${ext}), not a file`);
      else problem('DIRECTORY', 'a subfolder: nested folders are not imported');
      continue;
    }
    if (!stat.isFile()) {
      problem('NOT_REGULAR_FILE', 'not a regular file (a device, pipe or socket)');
      continue;
    }
    if (!IMAGE_EXTENSIONS.has(ext)) {
      problem('UNSUPPORTED_TYPE', ext ? `unsupported file type "${ext}" (Lookalike reads ${[...IMAGE_EXTENSIONS].join(' ')})` : 'no file extension, so not read as an image');
      continue;
    }
    out.push({ side, name, path: full });
  }
  return out;
}

/**
 * A file reported as having no partner often has one that was refused (a broken link, an empty file): say that,
 * rather than "no file named …".
 */
function explainPartners(problems: ImportProblem[]): void {
  const refused = problems.filter((p) => p.code !== 'ONE_SIDE_ONLY' && p.code !== 'AMBIGUOUS_NAME');
  for (const p of problems) {
    if (p.code !== 'ONE_SIDE_ONLY') continue;
    const partner =
      refused.find((q) => q.side !== p.side && q.file === p.file) ??
      refused.find((q) => q.side !== p.side && stem(q.file) === stem(p.file));
    if (partner) {
      p.code = 'PARTNER_UNUSABLE';
      p.reason = `its pair ${partner.side}/${partner.file} could not be used (${partner.code})`;
    }
  }
}

function stem(name: string): string {
  const ext = path.extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

function matchByName(left: Candidate[], right: Candidate[], problems: ImportProblem[]): MatchedPair[] {
  const pairs: MatchedPair[] = [];
  const rightByName = new Map(right.map((c) => [c.name, c]));
  const leftOver: Candidate[] = [];
  for (const l of left) {
    const r = rightByName.get(l.name);
    if (r) {
      pairs.push({ name: l.name, left: l, right: r });
      rightByName.delete(l.name);
    } else leftOver.push(l);
  }
  const rightOver = [...rightByName.values()];
  const byStem = (cs: Candidate[]) => {
    const m = new Map<string, Candidate[]>();
    for (const c of cs) m.set(stem(c.name), [...(m.get(stem(c.name)) ?? []), c]);
    return m;
  };
  const leftStems = byStem(leftOver);
  const rightStems = byStem(rightOver);
  for (const [s, ls] of leftStems) {
    const rs = rightStems.get(s) ?? [];
    if (ls.length === 1 && rs.length === 1) {
      pairs.push({ name: ls[0].name, left: ls[0], right: rs[0] });
      rightStems.delete(s);
      continue;
    }
    for (const l of ls) {
      if (rs.length === 0) problems.push({ side: 'left', file: l.name, code: 'ONE_SIDE_ONLY', reason: `no file named ${l.name} (or ${s}.*) in right/` });
      else problems.push({ side: 'left', file: l.name, code: 'AMBIGUOUS_NAME', reason: `several files named ${s}.* and no exact name match: ${[...ls, ...rs].map((c) => `${c.side}/${c.name}`).join(', ')}` });
    }
    if (rs.length) {
      for (const r of rs) problems.push({ side: 'right', file: r.name, code: 'AMBIGUOUS_NAME', reason: `several files named ${s}.* and no exact name match: ${[...ls, ...rs].map((c) => `${c.side}/${c.name}`).join(', ')}` });
      rightStems.delete(s);
    }
  }
  for (const rs of rightStems.values()) {
    for (const r of rs) problems.push({ side: 'right', file: r.name, code: 'ONE_SIDE_ONLY', reason: `no file named ${r.name} (or ${stem(r.name)}.*) in left/` });
  }
  return pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The pairing rule for a pair one side of which could not be used: its good file is unused too, and is reported
 * so, naming its partner's problem. Import and `eval` both report it, so a folder reads the same in both.
 */
export function partnerUnusable(pair: MatchedPair, failed: { side: 'left' | 'right'; file: string; code: string }) {
  const side = failed.side === 'left' ? ('right' as const) : ('left' as const);
  return {
    side,
    file: pair[side].name,
    code: 'PARTNER_UNUSABLE' as const,
    reason: `its pair ${failed.side}/${failed.file} could not be used (${failed.code})`,
  };
}
