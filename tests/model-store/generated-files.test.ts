import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adoptLegacyGeneratedFiles, generatedDir } from '../../src-main/model-store/generated-files.ts';
import { main } from '../../src-main/cli/main.ts';
import { tempDir } from '../helpers/fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir()));
afterEach(() => tmp.cleanup());

const sink = () => {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => (chunks.push(String(s)), true) } as unknown as NodeJS.WritableStream };
};

describe('generated files live under <catalog>.d/', () => {
  it('moves what earlier versions wrote beside the catalog, and only files Lookalike names', () => {
    const catalog = path.join(tmp.dir, 'catalog.sqlite');
    fs.mkdirSync(path.join(tmp.dir, 'augment'));
    fs.writeFileSync(path.join(tmp.dir, 'augment', '0123456789abcdef-42-0.jpg'), 'variant');
    fs.mkdirSync(path.join(tmp.dir, 'models'));
    fs.writeFileSync(path.join(tmp.dir, 'models', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'), 'weights');
    fs.writeFileSync(path.join(tmp.dir, 'models', 'my-thesis-model.onnx'), 'the user\'s');
    adoptLegacyGeneratedFiles(catalog);
    expect(fs.readFileSync(path.join(generatedDir(catalog, 'augment'), '0123456789abcdef-42-0.jpg'), 'utf8')).toBe('variant');
    expect(fs.existsSync(path.join(tmp.dir, 'augment'))).toBe(false);
    expect(fs.readFileSync(path.join(generatedDir(catalog, 'models'), 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'), 'utf8')).toBe('weights');
    // The user's own file in a folder that happens to be called models/ stays where it was, with its folder.
    expect(fs.readFileSync(path.join(tmp.dir, 'models', 'my-thesis-model.onnx'), 'utf8')).toBe('the user\'s');
    expect(generatedDir(catalog, 'models')).toBe(path.join(tmp.dir, 'catalog.sqlite.d', 'models'));
  });

  it('commands that only read refuse a missing catalog with a clear message and create nothing', async () => {
    const missing = path.join(tmp.dir, 'missing', 'dir', 'x.sqlite');
    for (const args of [['datasets'], ['runs'], ['pairs', 'x'], ['problems', 'x'], ['report', '1', '--out', path.join(tmp.dir, 'r.html')], ['export', '1', '--out', path.join(tmp.dir, 'e')], ['resume', '1']]) {
      const err = sink();
      const code = await main(['--db', missing, ...args], { out: sink().stream, err: err.stream, env: {} });
      expect(code, args.join(' ')).toBe(1);
      expect(err.chunks.join(''), args.join(' ')).toContain(`no catalog at ${missing}`);
    }
    expect(fs.existsSync(path.join(tmp.dir, 'missing'))).toBe(false);
    expect(fs.readdirSync(tmp.dir)).toEqual([]);
  });
});
