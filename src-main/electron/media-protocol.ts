import { protocol } from 'electron';
import { parseImageId, readCatalogMedia, type MediaKind } from '../catalog/image-files.ts';
import type { Db } from '../catalog/open-catalog.ts';
import { MEDIA_SCHEME } from './schemes.ts';

export { MEDIA_SCHEME } from './schemes.ts';

/** The headers of every media answer; `sandbox` keeps an SVG opened on its own from running scripts. */
const MEDIA_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" };

/**
 * Serves catalog images on the scheme, by kind and numeric id only (the same lookup as the local server's
 * `/media/` route), so no URL can name a file outside the catalog.
 */
export function handleMediaProtocol(catalog: () => Db): void {
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const kind = url.hostname;
    const imageId = parseImageId(url.pathname.replace(/^\//, ''));
    if ((kind !== 'thumb' && kind !== 'image') || imageId === undefined || request.method !== 'GET') {
      return new Response('not found', { status: 404, headers: MEDIA_HEADERS });
    }
    const media = await readCatalogMedia(catalog(), kind as MediaKind, imageId);
    if (!media) return new Response('not found', { status: 404, headers: MEDIA_HEADERS });
    return new Response(new Uint8Array(media.bytes), { status: 200, headers: { ...MEDIA_HEADERS, 'Content-Type': media.contentType } });
  });
}
