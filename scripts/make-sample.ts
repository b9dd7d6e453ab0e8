/**
 * Generates the embedded sample dataset: brand pairs FOLDER/left/<slug>.png (the clean logo) and
 * FOLDER/right/<slug>.jpg (a look-alike of it), from the CC0 `simple-icons` package.
 *
 *   npx tsx scripts/make-sample.ts [--set brands|heldout] [--out samples/brands] [--count 60] [--seed 1]
 *
 * Output is deterministic: each pair draws from its own PRNG seeded by (seed, slug), so the same
 * sharp/libvips version writes the same bytes, and `--count 3` writes the same first three pairs as
 * `--count 60`.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createRandom } from '../src-main/ml/seeded-random.ts';

/**
 * Well-known brands with visibly different icons. Every one has no per-icon licence entry in the
 * simple-icons data (icons that carry one, e.g. android CC-BY-3.0 or vuedotjs CC-BY-NC-SA-4.0, were left
 * out on purpose), and none is white or pale yellow, which would vanish on the white left background.
 */
export const BRAND_SLUGS: readonly string[] = [
  'github', 'gitlab', 'apple', 'google', 'youtube', 'spotify', 'netflix', 'airbnb', 'uber', 'discord',
  'twitch', 'reddit', 'instagram', 'facebook', 'whatsapp', 'telegram', 'tiktok', 'mastodon', 'pinterest',
  'dropbox', 'paypal', 'visa', 'mastercard', 'stripe', 'shopify', 'wikipedia', 'firefox', 'googlechrome',
  'opera', 'ubuntu', 'archlinux', 'docker', 'kubernetes', 'nodedotjs', 'python', 'react', 'svelte', 'npm',
  'bitcoin', 'ethereum', 'starbucks', 'mcdonalds', 'burgerking', 'nike', 'adidas', 'bmw', 'audi',
  'volkswagen', 'toyota', 'ferrari', 'tesla', 'nasa', 'playstation', 'steam', 'blender', 'figma', 'trello',
  'atlassian', 'raspberrypi', 'nvidia',
];

/**
 * Brands that are NOT in the training sample: `--set heldout` writes them to samples/brands-heldout, the outside
 * folder `lookalike eval RUN --pairs` measures generalisation on (no brand seen in training).
 */
export const HELDOUT_SLUGS: readonly string[] = [
  'zoom', 'ebay', 'etsy', 'ikea', 'samsung', 'intel', 'amd', 'hp', 'dell', 'lenovo', 'huawei', 'xiaomi',
  'vodafone', 'kfc', 'cocacola', 'redbull', 'puma', 'hyundai', 'honda', 'ford', 'porsche', 'renault',
  'duolingo', 'vimeo', 'soundcloud', 'wordpress', 'mozilla', 'signal', 'postgresql', 'cloudflare',
];

/** Options of {@link makeSample}. */
export interface MakeSampleOptions {
  /** Output folder; `left/` and `right/` are created inside it. */
  out: string;
  /** Number of pairs, 1..slugs.length (default: all). */
  count?: number;
  /** Which brands (default BRAND_SLUGS; HELDOUT_SLUGS for the held-out folder). */
  slugs?: readonly string[];
  /** PRNG seed; the same seed gives the same bytes (default 1). */
  seed?: number;
  /** Called after each pair is written. */
  onProgress?: (progress: { done: number; total: number; slug: string }) => void;
}

/** How one right image was derived from its left logo, recorded in the README. */
export interface PairRecipe {
  slug: string;
  title: string;
  hex: string;
  width: number;
  height: number;
  colour: 'hue-shift' | 'palette' | 'inverted';
  background: 'solid' | 'linear' | 'radial' | 'texture';
  scale: number;
  rotation: number;
  shadow: boolean;
  blur: number;
  grain: number;
  quality: number;
}

/** What {@link makeSample} wrote. */
export interface MakeSampleResult {
  pairs: PairRecipe[];
  simpleIconsVersion: string;
  simpleIconsLicense: string;
  /** Icons in the package, and how many of them carry their own licence entry (none of those is used). */
  iconCount: number;
  iconsWithOwnLicense: number;
}

interface IconData { title: string; slug: string; hex: string; license?: unknown }
type Rgb = [number, number, number];

const LEFT_SIZE = 256;
const LEFT_PADDING = 32;
// Distinct, mid-saturated colours a re-drawn logo plausibly gets (merchandise, dark mode, reseller ads).
const PALETTE = ['#1B3A6B', '#0F7C6B', '#C2185B', '#6A1B9A', '#E65100', '#2E7D32', '#B8860B', '#37474F', '#00838F', '#8B0000'];

/** The trainer's seeded mulberry32: enough for picking recipes, and trivially reproducible. */
function mulberry32(seed: number): () => number {
  return createRandom(seed).next;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function hexToRgb(hex: string): Rgb {
  const n = parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function rgbToHex([r, g, b]: Rgb): string {
  return '#' + [r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('').toUpperCase();
}

function rgbToHsl([r, g, b]: Rgb): [number, number, number] {
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const max = Math.max(rn, gn, bn), min = Math.min(rn, gn, bn), l = (max + min) / 2, d = max - min;
  if (d === 0) return [0, 0, l];
  const s = d / (1 - Math.abs(2 * l - 1));
  const h = max === rn ? ((gn - bn) / d + 6) % 6 : max === gn ? (bn - rn) / d + 2 : (rn - gn) / d + 4;
  return [h * 60, s, l];
}

function hslToHex(h: number, s: number, l: number): string {
  const c = (1 - Math.abs(2 * l - 1)) * s, hp = (((h % 360) + 360) % 360) / 60, x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] = hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return rgbToHex([(r + m) * 255, (g + m) * 255, (b + m) * 255]);
}

// WCAG relative luminance and contrast ratio: a cheap proxy for "a person can still see the logo".
function luminance(hex: string): number {
  const lin = hexToRgb(hex).map((v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Loads icon metadata and the package's licence/version from the installed simple-icons. */
async function loadSimpleIcons(): Promise<{ icons: Map<string, IconData>; version: string; license: string; root: string }> {
  const require = createRequire(import.meta.url);
  const dataFile = require.resolve('simple-icons/icons.json');
  const root = path.dirname(path.dirname(dataFile));
  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string; license: string };
  const list = JSON.parse(await readFile(dataFile, 'utf8')) as IconData[];
  return { icons: new Map(list.map((i) => [i.slug, i])), version: pkg.version, license: pkg.license, root };
}

async function iconPath(root: string, slug: string): Promise<string> {
  const svg = await readFile(path.join(root, 'icons', `${slug}.svg`), 'utf8');
  const match = /<path d="([^"]+)"/.exec(svg);
  if (!match) throw new Error(`simple-icons/${slug}.svg has no <path d="...">`);
  return match[1];
}

function leftSvg(d: string, hex: string): string {
  const k = (LEFT_SIZE - 2 * LEFT_PADDING) / 24;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${LEFT_SIZE}" height="${LEFT_SIZE}">` +
    `<rect width="100%" height="100%" fill="#FFFFFF"/>` +
    `<path d="${d}" fill="#${hex}" transform="translate(${LEFT_PADDING} ${LEFT_PADDING}) scale(${k})"/></svg>`;
}

/** Picks a background colour that keeps the logo readable (contrast ≥ 3), preferring the opposite lightness. */
function pickBackground(rand: () => number, logo: string): string {
  const dark = luminance(logo) > 0.3;
  for (let i = 0; i < 30; i++) {
    const bg = hslToHex(rand() * 360, 0.15 + rand() * 0.6, dark ? 0.06 + rand() * 0.22 : 0.78 + rand() * 0.2);
    if (contrast(bg, logo) >= 3) return bg;
  }
  return dark ? '#111111' : '#F4F4F4';
}

function distance(a: string, b: string): number {
  const [x, y] = [hexToRgb(a), hexToRgb(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

/** Draws the recipe of one right image and its SVG composition (before blur, grain and JPEG). */
function rightComposition(rand: () => number, icon: IconData, d: string): { recipe: PairRecipe; svg: string } {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const round = (v: number, digits = 2) => Number(v.toFixed(digits));
  const width = 200 + Math.floor(rand() * 121);
  const height = rand() < 0.4 ? width : 200 + Math.floor(rand() * 121);

  const [h, s] = rgbToHsl(hexToRgb(icon.hex));
  // A grey or black brand has no hue to shift, so it gets a palette colour instead.
  const roll = rand();
  const colour: PairRecipe['colour'] = roll < 0.3 ? 'inverted' : roll < 0.65 && s > 0.2 ? 'hue-shift' : 'palette';
  let logo: string, bg: string;
  if (colour === 'inverted') {
    logo = rand() < 0.5 ? '#FFFFFF' : hslToHex(h, 0.2 + rand() * 0.4, 0.88 + rand() * 0.08);
    bg = hslToHex(rand() < 0.5 ? h : rand() * 360, 0.2 + rand() * 0.5, 0.06 + rand() * 0.16);
  } else {
    logo = colour === 'hue-shift'
      ? hslToHex(h + (rand() < 0.5 ? -1 : 1) * (40 + rand() * 140), Math.max(0.45, s * (0.7 + rand() * 0.3)), 0.3 + rand() * 0.25)
      : pick(PALETTE.filter((p) => distance(p, icon.hex) > 120));
    bg = pickBackground(rand, logo);
  }

  const background = pick(['solid', 'linear', 'radial', 'texture'] as const);
  // The second gradient stop passes the same contrast test, so the logo stays readable across the gradient.
  const bg2 = pickBackground(rand, logo);
  const angle = rand() * 360;
  const dx = Math.cos((angle * Math.PI) / 180) / 2, dy = Math.sin((angle * Math.PI) / 180) / 2;
  const fills: Record<PairRecipe['background'], string> = {
    solid: bg,
    linear: 'url(#bg)',
    radial: 'url(#bg)',
    texture: bg,
  };
  const gradient = background === 'linear'
    ? `<linearGradient id="bg" x1="${round(0.5 - dx)}" y1="${round(0.5 - dy)}" x2="${round(0.5 + dx)}" y2="${round(0.5 + dy)}"><stop offset="0" stop-color="${bg}"/><stop offset="1" stop-color="${bg2}"/></linearGradient>`
    : background === 'radial'
      ? `<radialGradient id="bg" cx="${round(0.3 + rand() * 0.4)}" cy="${round(0.3 + rand() * 0.4)}" r="0.8"><stop offset="0" stop-color="${bg}"/><stop offset="1" stop-color="${bg2}"/></radialGradient>`
      : '';
  // fractalNoise at low frequency reads as mottled card/wall, at high frequency as paper or fabric grain.
  const texture = background === 'texture'
    ? `<filter id="tx" x="0" y="0" width="100%" height="100%"><feTurbulence type="fractalNoise" baseFrequency="${rand() < 0.5 ? round(0.01 + rand() * 0.05, 3) : round(0.4 + rand() * 0.5, 3)}" numOctaves="${2 + Math.floor(rand() * 3)}" seed="${Math.floor(rand() * 1000)}"/>` +
      `<feColorMatrix type="matrix" values="0 0 0 0 ${luminance(bg) > 0.3 ? 0 : 1}  0 0 0 0 ${luminance(bg) > 0.3 ? 0 : 1}  0 0 0 0 ${luminance(bg) > 0.3 ? 0 : 1}  1 0 0 0 0"/></filter>`
    : '';

  const scale = round(0.6 + rand() * 0.5);
  const rotation = round(rand() * 24 - 12, 1);
  const k = (0.75 * Math.min(width, height) * scale) / 24;
  const cx = width / 2 + (rand() * 0.24 - 0.12) * width, cy = height / 2 + (rand() * 0.24 - 0.12) * height;
  const shadow = rand() < 0.25;
  const place = (ox: number, oy: number) => `translate(${round(cx + ox)} ${round(cy + oy)}) rotate(${rotation}) scale(${round(k, 4)}) translate(-12 -12)`;
  const shadowEl = shadow
    ? `<path d="${d}" fill="#000000" opacity="${luminance(bg) > 0.3 ? 0.25 : 0.6}" filter="url(#sh)" transform="${place(k * 0.6, k * 0.6)}"/>`
    : '';

  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>${gradient}${texture}` +
    `<filter id="sh" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="0.4"/></filter></defs>` +
    `<rect width="100%" height="100%" fill="${fills[background]}"/>` +
    (texture ? `<rect width="100%" height="100%" filter="url(#tx)" opacity="${round(0.15 + rand() * 0.25)}"/>` : '') +
    `${shadowEl}<path d="${d}" fill="${logo}" transform="${place(0, 0)}"/></svg>`;

  const blur = rand() < 0.35 ? round(0.5 + rand() * 1.0) : 0;
  const grain = rand() < 0.3 ? Math.round(6 + rand() * 14) : 0;
  const quality = 35 + Math.floor(rand() * 41);
  const recipe: PairRecipe = {
    slug: icon.slug, title: icon.title, hex: icon.hex, width, height, colour, background, scale, rotation, shadow, blur, grain, quality,
  };
  return { recipe, svg };
}

/** Renders the composition, then degrades it the way a photographed/re-posted logo gets degraded. */
async function renderRight(svg: string, recipe: PairRecipe, rand: () => number): Promise<Buffer> {
  let image = sharp(Buffer.from(svg)).removeAlpha();
  if (recipe.blur > 0) image = image.blur(recipe.blur);
  let { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  if (recipe.grain > 0) {
    data = Buffer.from(data);
    for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, data[i] + (rand() * 2 - 1) * recipe.grain));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .jpeg({ quality: recipe.quality })
    .toBuffer();
}

function readme(result: MakeSampleResult, seed: number, heldout: boolean): string {
  const rows = result.pairs.map((p) =>
    `| ${p.slug} | ${p.title} | #${p.hex} | ${p.width}×${p.height} | ${p.colour} | ${p.background} | ${Math.round(p.scale * 100)} % | ${p.rotation}° | ${p.shadow ? 'yes' : 'no'} | ${p.blur || '–'} | ${p.grain || '–'} | ${p.quality} |`);
  return `# Sample dataset: brand look-alikes

${result.pairs.length} image pairs for trying Lookalike without a dataset of your own: \`left/<slug>.png\` is a
clean brand logo, \`right/<slug>.jpg\` a look-alike of it. The importer pairs them by file-name stem.

Generated by \`npx tsx scripts/make-sample.ts ${heldout ? '--set heldout --out samples/brands-heldout' : '--out samples/brands'} --count ${result.pairs.length} --seed ${seed}\`;
do not edit by hand. The same seed and sharp version give the same bytes.

## Licence

- Icon shapes and brand colours come from the npm package **simple-icons ${result.simpleIconsVersion}**
  (https://simpleicons.org), whose \`package.json\` and \`LICENSE.md\` declare **${result.simpleIconsLicense}**.
  The generator refuses any icon that carries its own licence entry in the package data (${result.iconsWithOwnLicense}
  of its ${result.iconCount} icons do), so none of the icons used here is listed with a licence other than the package's.
  simple-icons' own \`DISCLAIMER.md\` cautions that missing licence data is not proof that no other licence applies.
- The logos are trademarks of their respective owners. They are used here only as test data for image
  similarity search; their use implies no affiliation with or endorsement by the brand owners.

## How each right image was made

Left: the icon path in the brand's hex colour on white, ${LEFT_SIZE}×${LEFT_SIZE}, ${LEFT_PADDING} px padding.
Right: a new colour (hue shift, a palette colour, or a light logo on a dark background), a new background
(solid, gradient, or fractal-noise texture), scale relative to the left logo, rotation, an off-centre
position (up to ±12 % of each side), sometimes a shadow, blur or grain, then JPEG compression.

| slug | brand | brand hex | right size | colour | background | scale | rotation | shadow | blur σ | grain | JPEG q |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Deletes pairs from an earlier, larger run so the folder holds exactly the pairs listed in the README. */
async function removeStale(out: string, keep: Set<string>, all: readonly string[]): Promise<void> {
  for (const [side, ext] of [['left', '.png'], ['right', '.jpg']] as const) {
    const dir = path.join(out, side);
    for (const name of await readdir(dir)) {
      const stem = name.slice(0, -ext.length);
      if (name.endsWith(ext) && all.includes(stem) && !keep.has(stem)) await rm(path.join(dir, name));
    }
  }
}

/**
 * Writes `count` brand pairs (left clean logo PNG, right look-alike JPEG) and a README with the licence
 * record and each pair's recipe into `out`. Deterministic for a given seed and sharp version.
 */
export async function makeSample({ out, slugs: all = BRAND_SLUGS, count = all.length, seed = 1, onProgress }: MakeSampleOptions): Promise<MakeSampleResult> {
  if (!Number.isInteger(count) || count < 1 || count > all.length) {
    throw new RangeError(`count must be an integer in 1..${all.length}, got ${count}`);
  }
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  const { icons, version, license, root } = await loadSimpleIcons();
  const slugs = all.slice(0, count);
  for (const slug of slugs) {
    const icon = icons.get(slug);
    if (!icon) throw new Error(`simple-icons ${version} has no icon "${slug}"`);
    if (icon.license) throw new Error(`simple-icons "${slug}" carries its own licence ${JSON.stringify(icon.license)}; pick another brand`);
  }
  await mkdir(path.join(out, 'left'), { recursive: true });
  await mkdir(path.join(out, 'right'), { recursive: true });
  await removeStale(out, new Set(slugs), all);

  const result: MakeSampleResult = {
    pairs: [], simpleIconsVersion: version, simpleIconsLicense: license,
    iconCount: icons.size, iconsWithOwnLicense: [...icons.values()].filter((i) => i.license).length,
  };
  for (const [index, slug] of slugs.entries()) {
    const icon = icons.get(slug)!;
    const d = await iconPath(root, slug);
    const rand = mulberry32(fnv1a(`${seed}:${slug}`));
    const left = await sharp(Buffer.from(leftSvg(d, icon.hex))).removeAlpha().png({ compressionLevel: 9 }).toBuffer();
    const { recipe, svg } = rightComposition(rand, icon, d);
    const right = await renderRight(svg, recipe, rand);
    await writeFile(path.join(out, 'left', `${slug}.png`), left);
    await writeFile(path.join(out, 'right', `${slug}.jpg`), right);
    result.pairs.push(recipe);
    onProgress?.({ done: index + 1, total: slugs.length, slug });
  }
  await writeFile(path.join(out, 'README.md'), readme(result, seed, all === HELDOUT_SLUGS));
  return result;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string', default: '1' }, set: { type: 'string', default: 'brands' } },
  });
  if (values.set !== 'brands' && values.set !== 'heldout') throw new Error(`--set takes brands or heldout, not ${values.set}`);
  const heldout = values.set === 'heldout';
  const out = path.resolve(values.out ?? (heldout ? 'samples/brands-heldout' : 'samples/brands'));
  const result = await makeSample({
    out,
    slugs: heldout ? HELDOUT_SLUGS : BRAND_SLUGS,
    count: values.count === undefined ? undefined : Number(values.count),
    seed: Number(values.seed),
    onProgress: ({ done, total, slug }) => process.stdout.write(`\r${done}/${total} ${slug.padEnd(16)}`),
  });
  process.stdout.write(`\nwrote ${result.pairs.length} pairs to ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
