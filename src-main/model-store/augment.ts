import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createRandom, deriveSeed } from '../ml/seeded-random.ts';
import type { ImageRef } from './feature-cache.ts';
import { LOOKALIKE_TRANSFORMS, readRaw, toSharp, type LookalikeTransformName } from './lookalike-transforms.ts';
import type { AugmentStyle } from '../../src-shared/train-options.ts';

/** How often a `realistic` variant applies each transform (at least one always applies). */
const REALISTIC_ODDS: Record<LookalikeTransformName, number> = {
  'crop-pad': 0.5, perspective: 0.3, outline: 0.15, 'recolour-flat': 0.35, invert: 0.2, clutter: 0.2, text: 0.2, blur: 0.3, jpeg: 0.4,
};
/** The side a `realistic` variant is drawn at. */
const REALISTIC_SIZE = 224;

/**
 * Synthetic look-alikes of a logo, so a small dataset teaches more than one look-alike per brand. `classic`:
 * another hue, saturation and brightness, sometimes inverted, a small rotation onto a coloured background, a
 * little blur, JPEG artefacts. `realistic`: a few of lookalike-transforms.ts's changes modelled on real
 * look-alikes (a flat monochrome glyph, inversion, an outline, crop and padding, a small perspective, background
 * clutter, added text, blur, JPEG). Written once into `dir` (named by the source's hash, the style, the variant
 * and the seed) and reused by every later run; the same seed gives the same bytes.
 */
export async function lookalikeVariants(source: ImageRef, count: number, seed: number, dir: string, style: AugmentStyle = 'classic'): Promise<ImageRef[]> {
  await fs.mkdir(dir, { recursive: true });
  const out: ImageRef[] = [];
  for (let k = 0; k < count; k++) {
    const file = path.join(dir, `${source.sha256.slice(0, 16)}-${seed}-${style === 'classic' ? '' : 'r'}${k}.jpg`);
    let bytes: Buffer | undefined = await fs.readFile(file).catch(() => undefined);
    if (!bytes) {
      const random = createRandom(deriveSeed(seed, parseInt(source.sha256.slice(0, 8), 16), k));
      bytes = style === 'classic' ? await render(source.path, random) : await renderRealistic(source.path, random);
      // Written under a temporary name first: a crash never leaves half a JPEG that a later run would trust.
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, bytes);
      await fs.rename(tmp, file);
    }
    out.push({ sha256: createHash('sha256').update(bytes).digest('hex'), path: file });
  }
  return out;
}

async function render(file: string, random: ReturnType<typeof createRandom>): Promise<Buffer> {
  const r = () => random.next();
  const { width = 256, height = 256 } = await sharp(file).metadata();
  const side = Math.max(width, height);
  const background = { r: Math.round(r() * 255), g: Math.round(r() * 255), b: Math.round(r() * 255), alpha: 1 };
  let img = sharp(file, { failOn: 'truncated' })
    .flatten({ background: '#ffffff' })
    .modulate({ hue: Math.round(r() * 360), saturation: 0.6 + r() * 0.9, brightness: 0.8 + r() * 0.4 });
  if (r() < 0.3) img = img.negate({ alpha: false });
  const rotated = await img
    .rotate((r() - 0.5) * 24, { background })
    .resize(side, side, { fit: 'contain', background })
    .toBuffer();
  let out = sharp(rotated);
  if (r() < 0.4) out = out.blur(0.3 + r() * 1.2);
  return out.resize(Math.round(200 + r() * 120)).jpeg({ quality: Math.round(35 + r() * 40) }).toBuffer();
}

/** The transforms a `realistic` variant applies, drawn from `random`: at least one, in the registry's order. */
export function pickTransforms(random: ReturnType<typeof createRandom>): LookalikeTransformName[] {
  const names = Object.keys(LOOKALIKE_TRANSFORMS) as LookalikeTransformName[];
  const picked = names.filter((n) => random.next() < REALISTIC_ODDS[n]);
  return picked.length ? picked : [names[random.int(names.length)]];
}

async function renderRealistic(file: string, random: ReturnType<typeof createRandom>): Promise<Buffer> {
  let img = await readRaw(file, REALISTIC_SIZE);
  for (const name of pickTransforms(random)) img = await LOOKALIKE_TRANSFORMS[name](img, random);
  // Stored as JPEG like every variant; near-lossless unless the jpeg transform already degraded it.
  return toSharp(img).jpeg({ quality: 92 }).toBuffer();
}
