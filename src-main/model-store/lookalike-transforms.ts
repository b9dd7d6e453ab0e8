import sharp, { type Sharp } from 'sharp';
import type { Random } from '../ml/seeded-random.ts';

/**
 * Transforms modelled on how real look-alikes of a logo differ from it (a brand's colour logo vs. a vendor's
 * monochrome glyph, an inverted app icon, a sticker with an outline, a cropped or padded screenshot, a photo at a
 * slight angle, a busy background, a slogan under the mark, a re-saved JPEG). Each works on a square RGB image and
 * draws only from the `Random` it is given, so the same seed gives the same bytes on every machine (no system
 * fonts: the text transform has its own letters).
 */

/** A square RGB image, 3 bytes a pixel, row-major. */
export interface RawImage {
  size: number;
  data: Uint8Array;
}

export type LookalikeTransform = (img: RawImage, random: Random) => Promise<RawImage> | RawImage;

/** The transforms by name, in the order a variant applies those it picked: geometry, colour, clutter, degradations. */
export const LOOKALIKE_TRANSFORMS = {
  'crop-pad': cropPad,
  perspective,
  outline,
  'recolour-flat': recolourFlat,
  invert,
  clutter,
  text: addText,
  blur,
  jpeg,
} as const satisfies Record<string, LookalikeTransform>;
export type LookalikeTransformName = keyof typeof LOOKALIKE_TRANSFORMS;

const uniform = (random: Random, lo: number, hi: number) => lo + random.next() * (hi - lo);

/** The background colour: the mean of the outer ring of pixels, where a logo's ground shows. */
export function backgroundOf(img: RawImage): [number, number, number] {
  const { size, data } = img;
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (y > 1 && x > 1 && y < size - 2 && x < size - 2) continue;
      for (let c = 0; c < 3; c++) sum[c] += data[(y * size + x) * 3 + c];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n)) as [number, number, number];
}

/** 1 where a pixel is ink (far from the background colour), 0 where it is ground. */
export function inkMask(img: RawImage, threshold = 60): Uint8Array {
  const bg = backgroundOf(img);
  const mask = new Uint8Array(img.size * img.size);
  for (let i = 0; i < mask.length; i++) {
    const d = Math.abs(img.data[i * 3] - bg[0]) + Math.abs(img.data[i * 3 + 1] - bg[1]) + Math.abs(img.data[i * 3 + 2] - bg[2]);
    mask[i] = d > threshold ? 1 : 0;
  }
  return mask;
}

const randomColour = (random: Random): [number, number, number] => [random.int(256), random.int(256), random.int(256)];

/** The whole mark in one flat colour on a plain ground: what an icon set's monochrome glyph of a colour logo is. */
function recolourFlat(img: RawImage, random: Random): RawImage {
  const mask = inkMask(img);
  // Mostly black on white, as glyph sets draw them; sometimes a brand colour.
  const ink: [number, number, number] = random.next() < 0.6 ? [0, 0, 0] : randomColour(random);
  const ground: [number, number, number] = [255, 255, 255];
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < mask.length; i++) data.set(mask[i] ? ink : ground, i * 3);
  return { size: img.size, data };
}

/** Light on dark instead of dark on light (a dark-mode icon). */
function invert(img: RawImage): RawImage {
  return { size: img.size, data: img.data.map((v) => 255 - v) };
}

/** Only the edge of the mark, a stroke 1–3 px wide, as an outline icon draws it. */
function outline(img: RawImage, random: Random): RawImage {
  const { size } = img;
  const mask = inkMask(img);
  const width = 1 + random.int(3);
  const bg = backgroundOf(img);
  const data = new Uint8Array(img.data);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (!mask[i]) continue;
      let edge = false;
      for (let dy = -width; dy <= width && !edge; dy++) {
        for (let dx = -width; dx <= width && !edge; dx++) {
          const yy = y + dy, xx = x + dx;
          edge = yy < 0 || xx < 0 || yy >= size || xx >= size || !mask[yy * size + xx];
        }
      }
      if (!edge) data.set(bg, i * 3); // interior becomes ground
    }
  }
  return { size, data };
}

/** A tighter or looser frame: up to 12 % cropped off a side, then up to 20 % padding of the ground around. */
function cropPad(img: RawImage, random: Random): RawImage {
  const { size } = img;
  const bg = backgroundOf(img);
  const crop = Math.floor(uniform(random, 0, 0.12) * size);
  const x0 = random.int(crop + 1), y0 = random.int(crop + 1);
  const inner = size - crop;
  const pad = Math.floor(uniform(random, 0.05, 0.2) * size);
  const target = size - 2 * pad; // the cropped region is scaled to this and centred
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set(bg, i * 3);
  for (let y = 0; y < target; y++) {
    for (let x = 0; x < target; x++) {
      const sx = x0 + Math.floor((x * inner) / target), sy = y0 + Math.floor((y * inner) / target);
      const s = (sy * size + sx) * 3;
      data.set(img.data.subarray(s, s + 3), ((y + pad) * size + x + pad) * 3);
    }
  }
  return { size, data };
}

/** A small perspective: each corner moved by up to 8 % of the side, as a photo taken slightly off-axis. */
function perspective(img: RawImage, random: Random): RawImage {
  const { size } = img;
  const j = () => uniform(random, -0.08, 0.08) * size;
  const s = size - 1;
  // Where the source's corners land; the output is sampled through the inverse map (nearest pixel).
  const dst: [number, number][] = [[j(), j()], [s + j(), j()], [s + j(), s + j()], [j(), s + j()]];
  const src: [number, number][] = [[0, 0], [s, 0], [s, s], [0, s]];
  const h = homography(dst, src);
  const bg = backgroundOf(img);
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const w = h[6] * x + h[7] * y + 1;
      const sx = Math.round((h[0] * x + h[1] * y + h[2]) / w), sy = Math.round((h[3] * x + h[4] * y + h[5]) / w);
      const o = (y * size + x) * 3;
      if (sx < 0 || sy < 0 || sx >= size || sy >= size) data.set(bg, o);
      else data.set(img.data.subarray((sy * size + sx) * 3, (sy * size + sx) * 3 + 3), o);
    }
  }
  return { size, data };
}

/** The 8 coefficients of the projective map taking each `from` point onto its `to` point (4 pairs). */
function homography(from: [number, number][], to: [number, number][]): number[] {
  const a: number[][] = [];
  from.forEach(([x, y], k) => {
    const [u, v] = to[k];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  });
  // Gauss–Jordan elimination with partial pivoting on the 8×9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k < 9; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, r) => row[8] / row[r]);
}

/** Shapes of other colours scattered on the ground (never over the mark), as on a web page or a shelf. */
function clutter(img: RawImage, random: Random): RawImage {
  const { size } = img;
  const mask = inkMask(img);
  const data = new Uint8Array(img.data);
  const shapes = 4 + random.int(6);
  for (let k = 0; k < shapes; k++) {
    const colour = randomColour(random);
    const cx = random.int(size), cy = random.int(size);
    const r = Math.max(2, Math.floor(uniform(random, 0.03, 0.12) * size));
    const round = random.next() < 0.5;
    for (let y = Math.max(0, cy - r); y < Math.min(size, cy + r); y++) {
      for (let x = Math.max(0, cx - r); x < Math.min(size, cx + r); x++) {
        if (round && (x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        if (!mask[y * size + x]) data.set(colour, (y * size + x) * 3);
      }
    }
  }
  return { size, data };
}

/** 5×5 letters (rows top to bottom, bit 4 = left column): enough for a slogan or a company suffix. */
const LETTERS: Record<string, number[]> = {
  A: [0b01110, 0b10001, 0b11111, 0b10001, 0b10001], C: [0b01111, 0b10000, 0b10000, 0b10000, 0b01111],
  D: [0b11110, 0b10001, 0b10001, 0b10001, 0b11110], M: [0b10001, 0b11011, 0b10101, 0b10001, 0b10001],
  E: [0b11111, 0b10000, 0b11110, 0b10000, 0b11111], I: [0b11111, 0b00100, 0b00100, 0b00100, 0b11111],
  L: [0b10000, 0b10000, 0b10000, 0b10000, 0b11111], N: [0b10001, 0b11001, 0b10101, 0b10011, 0b10001],
  O: [0b01110, 0b10001, 0b10001, 0b10001, 0b01110], R: [0b11110, 0b10001, 0b11110, 0b10010, 0b10001],
  S: [0b01111, 0b10000, 0b01110, 0b00001, 0b11110], T: [0b11111, 0b00100, 0b00100, 0b00100, 0b00100],
};
const WORDS = ['INC', 'CO', 'LTD', 'STORE', 'ONLINE', 'TEAM', 'LIONS', 'ORIENT'];

/** A word under the mark, in the bottom sixth of the image (a company name or slogan beside the logo). */
function addText(img: RawImage, random: Random): RawImage {
  const { size } = img;
  const word = WORDS[random.int(WORDS.length)];
  const colour: [number, number, number] = random.next() < 0.5 ? [0, 0, 0] : randomColour(random);
  const band = Math.floor(size / 6);
  const scale = Math.max(1, Math.min(Math.floor((band - 2) / 5), Math.floor((size * 0.9) / (word.length * 6))));
  const width = word.length * 6 * scale;
  const x0 = Math.max(0, Math.floor((size - width) / 2) + random.int(Math.max(1, Math.floor(size * 0.05))));
  const y0 = size - band + Math.floor((band - 5 * scale) / 2);
  const data = new Uint8Array(img.data);
  [...word].forEach((ch, n) => {
    LETTERS[ch].forEach((bits, row) => {
      for (let col = 0; col < 5; col++) {
        if (!(bits & (1 << (4 - col)))) continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = x0 + (n * 6 + col) * scale + dx, y = y0 + row * scale + dy;
            if (x < size && y < size) data.set(colour, (y * size + x) * 3);
          }
        }
      }
    });
  });
  return { size, data };
}

/** A soft focus, sigma 0.6–2 px. */
async function blur(img: RawImage, random: Random): Promise<RawImage> {
  return fromSharp(await toSharp(img).blur(uniform(random, 0.6, 2)).raw().toBuffer(), img.size);
}

/** Re-saved as a low-quality JPEG (quality 15–50): block artefacts and colour bleeding. */
async function jpeg(img: RawImage, random: Random): Promise<RawImage> {
  const bytes = await toSharp(img).jpeg({ quality: 15 + random.int(36) }).toBuffer();
  return fromSharp(await sharp(bytes).removeAlpha().raw().toBuffer(), img.size);
}

/** sharp over raw pixels. */
export function toSharp(img: RawImage): Sharp {
  return sharp(Buffer.from(img.data), { raw: { width: img.size, height: img.size, channels: 3 } });
}

function fromSharp(buf: Buffer, size: number): RawImage {
  return { size, data: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice() };
}

/** An image file as a square RGB image: flattened onto white, fitted inside `size` × `size`, padded with white. */
export async function readRaw(file: string | Buffer, size: number): Promise<RawImage> {
  const buf = await sharp(file, { failOn: 'truncated' }).flatten({ background: '#ffffff' })
    .resize(size, size, { fit: 'contain', background: '#ffffff' }).removeAlpha().raw().toBuffer();
  return fromSharp(buf, size);
}
