import type { ServerResponse } from 'node:http';
import { parseImageId, readCatalogMedia, type MediaKind } from '../catalog/image-files.ts';
import type { Db } from '../catalog/open-catalog.ts';
import { send, sendText } from './http-responses.ts';

/** `/media/thumb/12`, `/media/image/12`: a kind and a bare numeric id, nothing else. */
const MEDIA_PATH = /^\/media\/(thumb|image)\/([^/]+)$/;

/** True for paths the media route owns (everything under /media/). */
export function isMediaPath(pathname: string): boolean {
  return pathname === '/media' || pathname.startsWith('/media/');
}

/**
 * Serves a catalog image's thumbnail (WebP) or original file by its numeric id. The id is the only input: no
 * path from the request ever reaches the file system, so `..` tricks cannot name another file.
 */
export async function serveMedia(res: ServerResponse, db: Db, pathname: string, head: boolean): Promise<void> {
  const match = MEDIA_PATH.exec(pathname);
  const imageId = match ? parseImageId(match[2]) : undefined;
  if (!match || imageId === undefined) return sendText(res, 404, 'not found: media URLs are /media/thumb/ID and /media/image/ID', head);
  const media = await readCatalogMedia(db, match[1] as MediaKind, imageId);
  if (!media) return sendText(res, 404, `not found: no ${match[1] === 'thumb' ? 'thumbnail' : 'readable file'} for image ${imageId}`, head);
  send(res, 200, { 'Content-Type': media.contentType, 'Cache-Control': 'private, max-age=3600' }, media.bytes, head);
}
