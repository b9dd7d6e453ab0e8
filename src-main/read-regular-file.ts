import fs from 'node:fs/promises';

/** Why a file was not read. The codes are the importer's (ProblemCode), so every door reports them alike. */
export type ReadRefusal = {
  code: 'NOT_FOUND' | 'DIRECTORY' | 'NOT_REGULAR_FILE' | 'EMPTY_FILE' | 'FILE_TOO_LARGE' | 'UNREADABLE';
  reason: string;
};

/** The largest image file any part of Lookalike reads (the importer's limit). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole file only if it is a regular file of at most `maxBytes`, without ever blocking on it.
 *
 * The file is opened with O_NONBLOCK and checked with fstat on the open handle before a byte is read: a FIFO
 * would otherwise block open() or read() forever (and with it one of libuv's four threads: four such paths
 * wedged the server), `/dev/zero` would be read until memory runs out, and a stat-then-open check could be
 * raced by a rename. At most `size` bytes are read, so a file that grows meanwhile cannot push past the cap.
 * Reasons never quote the file's content.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<{ buf: Buffer } | ReadRefusal> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const stat = await handle.stat();
    if (stat.isDirectory()) return { code: 'DIRECTORY', reason: 'a folder, not a file' };
    if (!stat.isFile()) return { code: 'NOT_REGULAR_FILE', reason: 'not a regular file (a device, pipe or socket)' };
    if (stat.size === 0) return { code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' };
    if (stat.size > maxBytes) return { code: 'FILE_TOO_LARGE', reason: `${formatBytes(stat.size)} is over the ${formatBytes(maxBytes)} limit for one image file` };
    const buf = Buffer.alloc(stat.size);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break; // shrank meanwhile
      got += bytesRead;
    }
    if (got === 0) return { code: 'EMPTY_FILE', reason: 'empty file (0 bytes)' };
    return { buf: got === buf.length ? buf : buf.subarray(0, got) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'NOT_FOUND', reason: 'no such file' };
    if (code === 'EACCES' || code === 'EPERM') return { code: 'UNREADABLE', reason: 'cannot read: permission denied' };
    if (code === 'EISDIR') return { code: 'DIRECTORY', reason: 'a folder, not a file' };
    if (code === 'ELOOP') return { code: 'UNREADABLE', reason: 'cannot read: too many levels of symbolic links' };
    // The system's words only (an errno name), never anything read from the file.
    return { code: 'UNREADABLE', reason: `cannot read (${code ?? 'unknown error'})` };
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Sizes as people read them. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
