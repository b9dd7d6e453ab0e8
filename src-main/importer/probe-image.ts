import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { ImportProblem } from './problem-codes.ts';
import type { ImageFacts } from '../catalog/import-commit.ts';

/** What one decode of an image file tells the catalog. */
export interface ProbedImage extends ImageFacts {
  /** WebP, at most THUMBNAIL_SIZE on its longer side. */
  thumbnail: Buffer;
}

export interface ProbeLimits {
  /** Images with more pixels are refused from their header, before any pixel is allocated. */
  maxPixels: number;
  /** Files larger than this are refused without being read. */
  maxFileBytes: number;
}

export const DEFAULT_LIMITS: ProbeLimits = { maxPixels: 100_000_000, maxFileBytes: 256 * 1024 * 1024 };
export const THUMBNAIL_SIZE = 160;

type Problem = Pick<ImportProblem, 'code' | 'reason'>;

/** Reads a file and hashes it; the bytes are kept only for the decode that may follow. */
export async function readAndHash(file: string, limits: ProbeLimits): Promise<{ buf: Buffer; sha256: string } | Problem> {
  let handle;
  try {
    handle = await fs.open(file, 'r');
    const { size } = await handle.stat();
    if (size === 0) return { code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' };
    if (size > limits.maxFileBytes) {
      return { code: 'FILE_TOO_LARGE', reason: `${formatBytes(size)} is over the ${formatBytes(limits.maxFileBytes)} limit for one image file` };
    }
    const buf = await handle.readFile();
    return { buf, sha256: createHash('sha256').update(buf).digest('hex') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { code: 'UNREADABLE', reason: 'cannot read: permission denied' };
    return { code: 'UNREADABLE', reason: `cannot read: ${(e as Error).message}` };
  } finally {
    await handle?.close();
  }
}

/**
 * Decodes an image once: the header gives format and size (and refuses decompression bombs before any pixel
 * buffer exists), then one full decode proves every pixel is readable and yields the thumbnail.
 */
export async function decodeImage(buf: Buffer, sha256: string, limits: ProbeLimits): Promise<ProbedImage | Problem> {
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (e) {
    return notAnImage(buf, (e as Error).message);
  }
  const { width, height } = meta.autoOrient ?? meta;
  if (!width || !height) return { code: 'CORRUPT_IMAGE', reason: 'the image header gives no width or height' };
  if (width * height > limits.maxPixels) {
    return {
      code: 'TOO_MANY_PIXELS',
      reason: `${width}×${height} = ${(width * height).toLocaleString('en-US')} pixels is over the limit of ${limits.maxPixels.toLocaleString('en-US')} (refused before decoding, as a guard against decompression bombs)`,
    };
  }
  // failOn 'truncated' turns a short JPEG/PNG stream into an error instead of a grey-padded image.
  const thumb = () =>
    sharp(buf, { failOn: 'truncated', limitInputPixels: limits.maxPixels, animated: false })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  let thumbnail: Buffer;
  try {
    thumbnail = await thumb();
  } catch (first) {
    // libvips keeps one error buffer for all threads: under concurrent decodes a failure can come back as
    // "Unknown error". Decoding again usually yields the decoder's own words (e.g. "premature end of JPEG").
    let message = (first as Error).message;
    if (/unknown error/i.test(message) || !message.trim()) {
      message = await thumb().then(
        () => message,
        (e: Error) => e.message,
      );
    }
    const detail = /unknown error/i.test(message) || !message.trim() ? 'the image data is damaged or cut short' : cleanSharpMessage(message);
    return { code: 'CORRUPT_IMAGE', reason: `corrupt or truncated ${meta.format ?? 'image'}: ${detail}` };
  }
  const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : (meta.format ?? 'unknown');
  return { sha256, width, height, format, bytes: buf.length, thumbnail };
}

function notAnImage(buf: Buffer, message: string): Problem {
  if (/corrupt header/i.test(message)) return { code: 'CORRUPT_IMAGE', reason: `corrupt or truncated image: ${cleanSharpMessage(message)}` };
  if (looksLikeText(buf)) return { code: 'NOT_AN_IMAGE', reason: `not an image: the file holds text ("${preview(buf)}")` };
  return { code: 'NOT_AN_IMAGE', reason: 'not an image: the content is no image format Lookalike reads' };
}

function looksLikeText(buf: Buffer): boolean {
  const head = buf.subarray(0, 512);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  return printable / head.length > 0.95 && !head.includes(0);
}

function preview(buf: Buffer): string {
  const s = buf.subarray(0, 40).toString('utf8').replace(/\s+/g, ' ').trim();
  return buf.length > 40 ? `${s}…` : s;
}

function cleanSharpMessage(m: string): string {
  return m.replace(/^Input (buffer|file) (has|contains) /, '').split('\n')[0].trim();
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
