/**
 * Rasterises an icon SVG the same way for every family, so that the only differences between the two sides
 * of a pair are the designers' drawings: a square white canvas, the drawing fitted inside a fixed margin,
 * black wherever the family leaves the colour to the page (`currentColor` or no fill at all).
 */
import sharp from 'sharp';

/** Side of every image written, in pixels. */
export const IMAGE_SIZE = 256;
/** White margin around the drawing, so that strokes touching the viewBox edge stay whole. */
const MARGIN = 16;

/**
 * The SVG with its root element sized to `inner` × `inner` pixels: families size their roots in different
 * ways (16 px, 24 px, viewBox only), and librsvg renders a viewBox-only root at a size of its own choosing.
 */
export function sizedSvg(svg: string, inner: number): string {
  const open = /<svg\b[^>]*>/i.exec(svg);
  if (!open) throw new Error('not an SVG: no <svg> element');
  let tag = open[0];
  const attr = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(tag)?.[1];
  let viewBox = attr('viewBox');
  if (!viewBox) {
    const w = parseFloat(attr('width') ?? ''), h = parseFloat(attr('height') ?? '');
    if (!(w > 0 && h > 0)) throw new Error('SVG has neither a viewBox nor a width and height');
    viewBox = `0 0 ${w} ${h}`;
  }
  tag = tag.replace(/\s(width|height|viewBox|preserveAspectRatio)\s*=\s*("[^"]*"|'[^']*')/gi, '');
  tag = tag.replace(/^<svg/i, `<svg width="${inner}" height="${inner}" viewBox="${viewBox}" preserveAspectRatio="xMidYMid meet"`);
  // `currentColor` means "the text colour of the page"; here that page is black on white.
  return (svg.slice(0, open.index) + tag + svg.slice(open.index + open[0].length)).replace(/currentColor/g, '#000000');
}

/** A `IMAGE_SIZE`² PNG of the SVG on white. Same sharp/libvips version, same bytes. */
export async function renderIcon(svg: string): Promise<Buffer> {
  const inner = IMAGE_SIZE - 2 * MARGIN;
  return sharp(Buffer.from(sizedSvg(svg, inner)), { density: 72 })
    .resize(inner, inner, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .extend({ top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN, background: '#ffffff' })
    .removeAlpha()
    .png({ compressionLevel: 9, adaptiveFiltering: false, palette: false })
    .toBuffer();
}
