import path from 'node:path';
import sharp from 'sharp';
import { writeTree } from './fixtures.ts';

const SHAPES = ['circle', 'square', 'triangle', 'bar'] as const;
const COLORS = ['#d22', '#2a2', '#22c', '#d90', '#909', '#0aa'];

function logoSvg(i: number, variant: boolean): string {
  const shape = SHAPES[i % SHAPES.length];
  const color = COLORS[Math.floor(i / SHAPES.length) % COLORS.length];
  const bg = variant ? '#eee8d0' : '#ffffff';
  const s = variant ? 0.8 : 1;
  const body =
    shape === 'circle' ? `<circle cx="32" cy="32" r="${22 * s}" fill="${color}"/>`
    : shape === 'square' ? `<rect x="${32 - 20 * s}" y="${32 - 20 * s}" width="${40 * s}" height="${40 * s}" fill="${color}"/>`
    : shape === 'triangle' ? `<polygon points="32,${32 - 24 * s} ${32 + 24 * s},${32 + 20 * s} ${32 - 24 * s},${32 + 20 * s}" fill="${color}"/>`
    : `<rect x="8" y="${32 - 8 * s}" width="48" height="${16 * s}" fill="${color}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="${bg}"/>${variant ? `<g transform="rotate(8 32 32)">${body}</g>` : body}</svg>`;
}

/**
 * A paired folder of `n` tiny synthetic logos: left = shape in a colour on white, right = the same logo smaller,
 * rotated, on a cream background, saved as JPEG. Distinct enough per pair that a model can learn them.
 */
export async function makeTinyPairedFolder(root: string, n: number): Promise<string> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < n; i++) {
    files[`left/logo${String(i).padStart(2, '0')}.png`] = await sharp(Buffer.from(logoSvg(i, false))).png().toBuffer();
    files[`right/logo${String(i).padStart(2, '0')}.jpg`] = await sharp(Buffer.from(logoSvg(i, true))).jpeg({ quality: 70 }).toBuffer();
  }
  writeTree(root, files);
  return path.resolve(root);
}
