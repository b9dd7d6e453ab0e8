/**
 * Where the real evaluation sets come from: for each set, two icon families drawn by unrelated designers,
 * matched by name, so that left and right are two independent real renderings of the same thing (never a
 * synthetic variant of one image). Every family is an npm package read from node_modules, never fetched.
 *
 * Never used here, on purpose: `@iconify-json/logos` and every `emoji-datasource-*` package (reserved for an
 * independent evaluation of the project), nor any @iconify-json set that copies them.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One matched pair: the file name both sides get, and the SVG file each side is drawn from. */
export interface SourcePair {
  name: string;
  left: string;
  right: string;
}

/** A package one side of a set is drawn from, as recorded in the READMEs. */
export interface PackageInfo {
  name: string;
  version: string;
  license: string;
}

/** A set's matched pairs (sorted by name) and what it was made from. */
export interface SetSource {
  id: EvalSetId;
  title: string;
  description: string;
  left: PackageInfo & { role: string };
  right: PackageInfo & { role: string };
  /** Names dropped, and why (recorded in the README so a reader sees the matching was not cherry-picked). */
  excluded: { reason: string; count: number }[];
  pairs: SourcePair[];
}

/** The sets `make-eval-sets` can write. */
export const EVAL_SET_IDS = ['brands', 'icons'] as const;
export type EvalSetId = (typeof EVAL_SET_IDS)[number];

const require = createRequire(import.meta.url);

/** The installed package's root folder and its package.json facts. */
async function packageRoot(name: string): Promise<{ root: string; info: PackageInfo }> {
  // Several of these packages hide package.json behind `exports` or have no entry point: look in each
  // node_modules folder Node would search, as Node would.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = (require.resolve.paths(name) ?? [])
    .map((dir) => path.join(dir, name))
    .find((dir) => existsSync(path.join(dir, 'package.json')));
  if (!root) throw new Error(`${name} is not installed (needed by ${path.relative(process.cwd(), here)}): run npm ci`);
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string };
  return { root, info: { name, version: pkg.version, license: pkg.license } };
}

/**
 * The key two families' names are compared by: simple-icons spells "." and "+" as words in its slugs
 * (`nodedotjs`, `cplusplus`), devicon drops them (`nodejs`), so titles and alternative names are compared
 * letters-and-digits only after the same rewriting.
 */
export function matchKey(name: string): string {
  return name.toLowerCase().replace(/\+/g, 'plus').replace(/\./g, 'dot').replace(/[^a-z0-9]/g, '');
}

interface SimpleIcon { title: string; slug: string; aliases?: { aka?: string[] }; license?: { type: string } }
interface DeviconEntry { name: string; altnames?: string[]; versions: { svg: string[] } }

/** Devicon variants in order of preference: the emblem in its own colours first, wordmarks last. */
const DEVICON_VARIANTS = ['original', 'plain', 'line', 'original-wordmark', 'plain-wordmark', 'line-wordmark'];

/**
 * Brands: simple-icons' monochrome glyph (left) vs devicon's own drawing of the same brand, in colour where
 * devicon has one (right) — the product's "logo vs. a differently drawn look-alike" case.
 */
async function brandsSource(): Promise<SetSource> {
  const si = await packageRoot('simple-icons');
  const dev = await packageRoot('devicon');
  const icons = JSON.parse(await readFile(path.join(si.root, 'data', 'simple-icons.json'), 'utf8')) as SimpleIcon[];
  const bySlug = new Map<string, SimpleIcon>();
  const byKey = new Map<string, SimpleIcon>();
  let ownLicence = 0;
  for (const icon of icons) {
    // An icon with a licence entry other than CC0 is not covered by the package's CC0: leave it out.
    if (icon.license && icon.license.type !== 'CC0-1.0') { ownLicence++; continue; }
    bySlug.set(icon.slug, icon);
    for (const key of [icon.slug, matchKey(icon.title)]) if (!byKey.has(key)) byKey.set(key, icon);
  }
  const entries = (JSON.parse(await readFile(path.join(dev.root, 'devicon.json'), 'utf8')) as DeviconEntry[])
    .slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pairs = new Map<string, SourcePair>();
  let unmatched = 0, duplicate = 0, noSvg = 0;
  for (const entry of entries) {
    const icon = [entry.name, ...(entry.altnames ?? [])].map(matchKey).map((k) => byKey.get(k)).find(Boolean);
    if (!icon) { unmatched++; continue; }
    if (pairs.has(icon.slug)) { duplicate++; continue; }
    const variant = DEVICON_VARIANTS.find((v) => entry.versions.svg.includes(v));
    if (!variant) { noSvg++; continue; }
    pairs.set(icon.slug, {
      name: `${icon.slug}.png`,
      left: path.join(si.root, 'icons', `${icon.slug}.svg`),
      right: path.join(dev.root, 'icons', entry.name, `${entry.name}-${variant}.svg`),
    });
  }
  return {
    id: 'brands',
    title: 'Brands: simple-icons glyph vs devicon drawing',
    description: 'The same brand (mostly software and technology brands) as drawn by simple-icons (a one-colour '
      + 'glyph, rendered black) and by devicon (its own drawing, in the brand colours where it has them). '
      + 'Pairs are matched by name: devicon name or alternative name = simple-icons slug or title.',
    left: { ...si.info, role: 'simple-icons glyph, black on white' },
    right: { ...dev.info, role: 'devicon drawing (original > plain > line > wordmark variant), own colours, on white' },
    excluded: [
      { reason: 'simple-icons icons with a licence entry other than CC0-1.0 (not used at all)', count: ownLicence },
      { reason: 'devicon entries with no simple-icons match', count: unmatched },
      { reason: 'devicon entries matching a brand already paired', count: duplicate },
      { reason: 'devicon entries with no SVG', count: noSvg },
    ],
    pairs: [...pairs.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/**
 * UI icons: the same concept (alarm, archive, bell…) drawn by Tabler (2 px outline strokes, 24 px grid) and by
 * Bootstrap Icons (mostly filled shapes, 16 px grid) — "same concept, different designer", matched by exact name.
 */
async function iconsSource(): Promise<SetSource> {
  const tabler = await packageRoot('@tabler/icons');
  const bootstrap = await packageRoot('bootstrap-icons');
  const tablerDir = path.join(tabler.root, 'icons', 'outline');
  const bootstrapDir = path.join(bootstrap.root, 'icons');
  const stems = async (dir: string) =>
    new Set((await readdir(dir)).filter((f) => f.endsWith('.svg')).map((f) => f.slice(0, -4)));
  const left = await stems(tablerDir);
  const right = await stems(bootstrapDir);
  const names = [...left].filter((n) => right.has(n)).sort();
  return {
    id: 'icons',
    title: 'UI icons: Tabler outline vs Bootstrap Icons',
    description: 'The same UI concept as drawn by Tabler Icons (outline style) and by Bootstrap Icons, both '
      + 'rendered black on white. Pairs are the icon names both families use, exactly.',
    left: { ...tabler.info, role: 'Tabler outline icon, black on white' },
    right: { ...bootstrap.info, role: 'Bootstrap icon, black on white' },
    excluded: [
      { reason: 'Tabler outline icons with no Bootstrap icon of that name', count: left.size - names.length },
      { reason: 'Bootstrap icons with no Tabler outline icon of that name', count: right.size - names.length },
    ],
    pairs: names.map((n) => ({
      name: `${n}.png`, left: path.join(tablerDir, `${n}.svg`), right: path.join(bootstrapDir, `${n}.svg`),
    })),
  };
}

/** The matched pairs and provenance of one set, read from the installed packages. */
export function loadSetSource(id: EvalSetId): Promise<SetSource> {
  return id === 'brands' ? brandsSource() : iconsSource();
}
