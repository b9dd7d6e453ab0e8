/**
 * Colour handling before a backbone sees an image (RGB 0–255, [size·size·3] as readImageRgb gives it).
 * - `colour`: as it is.
 * - `grey`: Rec. 601 luma replicated to the 3 channels, so a black glyph and the same shape in brand colours
 *   differ only by contrast.
 * - `polarity`: grey, then inverted when the image's border is dark (light-on-dark logos become dark-on-light),
 *   then stretched so the background is 255 and the darkest ink 0 (a pale yellow logo becomes as dark as a
 *   black one).
 */
export const COLOUR_HANDLINGS = ['colour', 'grey', 'polarity'] as const;
export type ColourHandling = (typeof COLOUR_HANDLINGS)[number];

/** Width of the border whose mean decides polarity, in pixels. */
const BORDER = 4;

export function applyColourHandling(rgb: Float32Array, size: number, handling: ColourHandling): Float32Array {
  if (handling === 'colour') return rgb;
  const n = size * size;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  if (handling === 'polarity') {
    let sum = 0, count = 0;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        if (r < BORDER || c < BORDER || r >= size - BORDER || c >= size - BORDER) { sum += y[r * size + c]; count++; }
      }
    }
    if (sum / count < 128) for (let i = 0; i < n; i++) y[i] = 255 - y[i];
    let lo = Infinity, hi = -Infinity;
    for (const v of y) { if (v < lo) lo = v; if (v > hi) hi = v; }
    // A blank image has nothing to stretch.
    if (hi - lo > 1) for (let i = 0; i < n; i++) y[i] = ((y[i] - lo) / (hi - lo)) * 255;
  }
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = y[i];
  return out;
}
