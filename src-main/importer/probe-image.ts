import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import type { ImportProblem } from './problem-codes.ts';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-regular-file.ts';
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

export const DEFAULT_LIMITS: ProbeLimits = { maxPixels: 100_000_000, maxFileBytes: MAX_IMAGE_FILE_BYTES };
export const THUMBNAIL_SIZE = 160;
/**
 * libwebp's effort (0–6, default 4) for thumbnails: encoding them was most of an import's time; effort 2
 * halves it on 256-px logos for files ~4 % larger (measured with scripts/bench-import.ts, docs/performance.md).
 */
export const THUMBNAIL_WEBP_EFFORT = 2;

type Problem = Pick<ImportProblem, 'code' | 'reason'>;

/**
 * Reads a file and hashes it; the bytes are kept only for the decode that may follow. Only a regular file within
 * the size limit is read, and never in a way that blocks (see readRegularFile).
 */
export async function readAndHash(file: string, limits: ProbeLimits): Promise<{ buf: Buffer; sha256: string } | Problem> {
  const read = await readRegularFile(file, limits.maxFileBytes);
  if ('code' in read) return { code: read.code === 'NOT_FOUND' ? 'UNREADABLE' : read.code, reason: read.code === 'NOT_FOUND' ? 'cannot read: no such file' : read.reason };
  return { buf: read.buf, sha256: createHash('sha256').update(read.buf).digest('hex') };
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
      .webp({ quality: 80, effort: THUMBNAIL_WEBP_EFFORT })
      .toBuffer();
  let thumbnail: Buffer;
  try {
    thumbnail = await thumb();
  } catch (first) {
    // libvips keeps one error buffer for all threads: under concurrent decodes a failure can come back as
    // "Unknown error", or as another file's words ("vipspng: libpng read error" for a JPEG). Decoding again usually
    // yields the decoder's own (e.g. "premature end of JPEG").
    // The buffer may also hold several threads' lines at once: keep the first that is this file's decoder's.
    let line = decoderLine((first as Error).message, meta.format);
    if (line === null) {
      line = await thumb().then(
        () => null,
        (e: Error) => decoderLine(e.message, meta.format),
      );
    }
    const detail = line ?? 'the image data is damaged or cut short';
    return { code: 'CORRUPT_IMAGE', reason: `corrupt or truncated ${meta.format ?? 'image'}: ${detail}` };
  }
  const format = meta.format === 'heif' && meta.compression === 'av1' ? 'avif' : (meta.format ?? 'unknown');
  return { sha256, width, height, format, bytes: buf.length, thumbnail };
}

function notAnImage(buf: Buffer, message: string): Problem {
  if (/corrupt header/i.test(message)) return { code: 'CORRUPT_IMAGE', reason: `corrupt or truncated image: ${cleanSharpMessage(message)}` };
  // Never quote the text: the file may be anyone's (a query of /etc/passwd answered with its first line).
  if (looksLikeText(buf)) return { code: 'NOT_AN_IMAGE', reason: 'not an image: the file holds text' };
  return { code: 'NOT_AN_IMAGE', reason: 'not an image: the content is no image format Lookalike reads' };
}

function looksLikeText(buf: Buffer): boolean {
  const head = buf.subarray(0, 512);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128) printable++;
  return printable / head.length > 0.95 && !head.includes(0);
}

/**
 * The first line of a libvips error that can be this file's decoder's own words: not empty, not "Unknown error",
 * and naming no image format other than the file's (a line naming another is another file's); null when none is.
 */
function decoderLine(message: string, format: string | undefined): string | null {
  const own = format === 'jpg' ? 'jpeg' : format;
  for (const raw of message.split('\n')) {
    const line = cleanSharpMessage(raw);
    if (!line || /unknown error/i.test(line)) continue;
    const named = ['png', 'jpeg', 'webp', 'gif', 'tiff', 'heif', 'svg'].filter((f) => line.toLowerCase().includes(f));
    if (named.length && !named.includes(own ?? '')) continue;
    return line;
  }
  return null;
}

function cleanSharpMessage(m: string): string {
  return m.replace(/^Input (buffer|file) (has|contains) /, '').split('\n')[0].trim();
}
