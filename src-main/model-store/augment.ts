import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createRandom, deriveSeed } from '../ml/seeded-random.ts';
import type { ImageRef } from './feature-cache.ts';

/**
 * Synthetic look-alikes of a logo, so a small dataset teaches more than one look-alike per brand: another hue,
 * saturation and brightness, sometimes inverted (a light logo on a dark ground), a small rotation onto a
 * coloured background, a little blur, JPEG artefacts — the kinds of change the real look-alikes show. Written once
 * into `dir` (named by the source's hash, the variant and the seed) and reused by every later run.
 */
export async function lookalikeVariants(source: ImageRef, count: number, seed: number, dir: string): Promise<ImageRef[]> {
  await fs.mkdir(dir, { recursive: true });
  const out: ImageRef[] = [];
  for (let k = 0; k < count; k++) {
    const file = path.join(dir, `${source.sha256.slice(0, 16)}-${seed}-${k}.jpg`);
    let bytes: Buffer | undefined = await fs.readFile(file).catch(() => undefined);
    if (!bytes) {
      bytes = await render(source.path, createRandom(deriveSeed(seed, parseInt(source.sha256.slice(0, 8), 16), k)));
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
