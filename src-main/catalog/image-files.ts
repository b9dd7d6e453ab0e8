import { createHash } from 'node:crypto';
import type { Db } from './open-catalog.ts';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-regular-file.ts';

/** The two things a UI can show of a catalog image. */
export type MediaKind = 'thumb' | 'image';

/** Bytes ready to send, with their MIME type. */
export interface MediaFile {
  bytes: Buffer;
  contentType: string;
}

/** MIME type per format as the importer stores it (sharp's format names). */
const CONTENT_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
  heif: 'image/heif',
  svg: 'image/svg+xml',
};

/** The importer refuses bigger files, so a bigger file at a catalog path is not the image that was imported. */
const MAX_FILE_BYTES = MAX_IMAGE_FILE_BYTES;

/**
 * Parses an image id as it appears in a URL: decimal digits only, no sign, no leading zero, a safe integer.
 * Anything else (`..`, `1e3`, `-1`, `0x10`, `01`) is not an id.
 */
export function parseImageId(raw: string): number | undefined {
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) return undefined;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** The MIME type of an importer format name, `application/octet-stream` when unknown. */
export function contentTypeOf(format: string): string {
  return CONTENT_TYPES[format] ?? 'application/octet-stream';
}

/**
 * The WebP thumbnail or the original file of catalog image `imageId`, or undefined when there is no such image or
 * its file is gone. Only images in the catalog can be read, by id: a caller can never name a path.
 *
 * The original is looked for where the pairs that use it say it is (newest import first), then where it was first
 * imported from; a file there is served only if its SHA-256 is still the catalog's, so an image moved, edited or
 * replaced since the import (or a symlink re-pointed at another file) is never served in its place.
 */
export async function readCatalogMedia(db: Db, kind: MediaKind, imageId: number): Promise<MediaFile | undefined> {
  if (!Number.isSafeInteger(imageId) || imageId < 1) return undefined;
  if (kind === 'thumb') {
    const row = db.prepare('SELECT thumbnail FROM images WHERE id = ?').get(imageId) as { thumbnail: Buffer } | undefined;
    return row ? { bytes: row.thumbnail, contentType: 'image/webp' } : undefined;
  }
  const image = db.prepare('SELECT sha256, format, path FROM images WHERE id = ?').get(imageId) as
    | { sha256: string; format: string; path: string }
    | undefined;
  if (!image) return undefined;
  for (const candidate of imageFileCandidates(db, imageId, image.path)) {
    const bytes = await readIfSmall(candidate);
    if (bytes && createHash('sha256').update(bytes).digest('hex') === image.sha256) {
      return { bytes, contentType: contentTypeOf(image.format) };
    }
  }
  return undefined;
}

/** Where image `imageId` may be on disk: its pairs' paths (newest import first), then the path it was first seen at. */
export function imageFileCandidates(db: Db, imageId: number, firstPath?: string): string[] {
  const rows = db
    .prepare(
      `SELECT CASE WHEN p.left_image_id = ? THEN p.left_path ELSE p.right_path END AS path
         FROM pairs p JOIN datasets d ON d.id = p.dataset_id
        WHERE p.left_image_id = ? OR p.right_image_id = ?
        ORDER BY d.imported_at DESC, p.id DESC`,
    )
    .all(imageId, imageId, imageId) as Array<{ path: string }>;
  const first = firstPath ?? (db.prepare('SELECT path FROM images WHERE id = ?').get(imageId) as { path: string } | undefined)?.path;
  return [...new Set([...rows.map((r) => r.path), ...(first ? [first] : [])])];
}

async function readIfSmall(file: string): Promise<Buffer | undefined> {
  // Opened without blocking and checked on the handle: a catalog path since replaced by a FIFO or a device
  // must not hang the media route.
  const read = await readRegularFile(file, MAX_FILE_BYTES);
  return 'code' in read ? undefined : read.buf;
}
