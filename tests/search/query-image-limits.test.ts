import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Db } from '../../src-main/catalog/open-catalog.ts';
import { queryCatalog } from '../../src-main/search/query-catalog.ts';
import { readAndHash, DEFAULT_LIMITS } from '../../src-main/importer/probe-image.ts';
import { readRegularFile } from '../../src-main/read-regular-file.ts';
import { runCli } from '../helpers/run-cli.ts';
import { tempDir } from '../helpers/fixtures.ts';

const SECRET = 'root:x:0:0:the-secret-first-line-of-a-private-file';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let fifo: string;
const files: Record<string, string> = {};

beforeAll(() => {
  tmp = tempDir();
  db = openCatalog(path.join(tmp.dir, 'catalog.sqlite'));
  fifo = path.join(tmp.dir, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  files.text = path.join(tmp.dir, 'passwd.png');
  fs.writeFileSync(files.text, `${SECRET}\n${'daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n'.repeat(20)}`);
  // Sparse: 1 byte over the cap costs no disk.
  files.large = path.join(tmp.dir, 'huge.png');
  fs.closeSync(fs.openSync(files.large, 'w'));
  fs.truncateSync(files.large, DEFAULT_LIMITS.maxFileBytes + 1);
  files.dir = path.join(tmp.dir, 'folder.png');
  fs.mkdirSync(files.dir);
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

/** Every path a query can be given that is not an image, with the code it must be refused with. */
const CASES: Array<[string, () => string, string]> = [
  ['/dev/zero (an endless device)', () => '/dev/zero', 'NOT_REGULAR_FILE'],
  ['a FIFO nobody writes to', () => fifo, 'NOT_REGULAR_FILE'],
  ['/dev/null (a device)', () => '/dev/null', 'NOT_REGULAR_FILE'],
  ['a directory', () => files.dir, 'DIRECTORY'],
  ['a file over the size cap', () => files.large, 'FILE_TOO_LARGE'],
  ['a text file', () => files.text, 'NOT_AN_IMAGE'],
  ['a missing file', () => path.join(tmp.dir, 'nope.png'), 'NOT_FOUND'],
];

describe('query refuses what is not an image file, at once and without quoting it', () => {
  for (const [what, file, code] of CASES) {
    it(`${what}: ${code}`, async () => {
      const err = (await queryCatalog(db, { image: { path: file() } }).then(
        () => undefined,
        (e: unknown) => e,
      )) as { code: string; message: string };
      expect(err).toMatchObject({ code });
      expect(err.message).toContain(file());
      expect(err.message).not.toContain('root:x');
      expect(err.message).not.toContain('secret');
    });
  }

  it('an upload larger than the cap is refused before it is decoded', async () => {
    const bytesBase64 = 'A'.repeat(Math.ceil((DEFAULT_LIMITS.maxFileBytes / 3) * 4) + 8);
    await expect(queryCatalog(db, { image: { bytesBase64, name: 'big.png' } })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('the importer and eval use the same checks: a FIFO never blocks them, and a text file is not quoted', async () => {
    // Several at once: before, each FIFO held one of libuv's four threads until something wrote to it.
    const many = await Promise.all(Array.from({ length: 6 }, () => readRegularFile(fifo, 1024)));
    expect(many.map((r) => ('code' in r ? r.code : 'read'))).toEqual(Array(6).fill('NOT_REGULAR_FILE'));
    const text = await readAndHash(files.text, DEFAULT_LIMITS);
    expect('code' in text).toBe(false);
  });

  it('the CLI refuses a FIFO and a text file with exit code 1 and the reason, not the content', async () => {
    const home = path.join(tmp.dir, 'home');
    const r = await runCli(['--db', path.join(tmp.dir, 'catalog.sqlite'), 'query', fifo], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a regular file');
    const t = await runCli(['--db', path.join(tmp.dir, 'catalog.sqlite'), 'query', files.text], { home });
    expect(t.code).toBe(1);
    expect(t.stderr).toContain('not an image');
    expect(t.stderr + t.stdout).not.toContain('root:x');
  });
});
