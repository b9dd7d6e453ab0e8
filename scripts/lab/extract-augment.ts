/**
 * Lab: features of synthetic look-alikes of every train-folder logo (the app's own lookalikeVariants), so
 * heads can be trained on logo → variant pairs too.
 *   npx tsx scripts/lab/extract-augment.ts --style realistic --count 2
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src-main/ml/backend.ts';
import { loadBackbone } from '../../src-main/model-store/load-backbone.ts';
import { backboneOutputs } from '../../src-main/model-store/feature-cache.ts';
import { lookalikeVariants } from '../../src-main/model-store/augment.ts';
import type { AugmentStyle, FeatureRecipeId } from '../../src-shared/train-options.ts';

const { values } = parseArgs({ options: { recipe: { type: 'string', default: 'mid-multi-gem-polarity' }, out: { type: 'string', default: '/tmp/head-lab' }, sets: { type: 'string', default: 'brands,icons' }, root: { type: 'string', default: 'eval-sets' }, style: { type: 'string', default: 'realistic' }, count: { type: 'string', default: '2' } } });
await initBackend();
const backbone = await loadBackbone('mobilenetv2', undefined, {}, (l) => console.error(l), values.recipe as FeatureRecipeId);
const count = Number(values.count);
for (const set of values.sets.split(',')) {
  const dir = path.join(values.root, set, 'train', 'left');
  const names = (await readdir(dir)).sort();
  const refs: { name: string; path: string }[] = [];
  for (const name of names) {
    const p = path.join(dir, name);
    const sha256 = createHash('sha256').update(await readFile(p)).digest('hex');
    const vs = await lookalikeVariants({ sha256, path: p }, count, 42, path.join(values.out, 'variants', set), values.style as AugmentStyle);
    vs.forEach((v, k) => refs.push({ name: `${name}#${k}`, path: v.path }));
  }
  const dim = backbone.model.outputs[0].shape[1] as number;
  const data = new Float32Array(refs.length * dim);
  for (let b = 0; b < refs.length; b += 16) data.set(await backboneOutputs(backbone, refs.slice(b, b + 16).map((r) => r.path)), b * dim);
  const base = path.join(values.out, `${set}-${values.recipe}-aug-${values.style}`);
  await writeFile(`${base}.json`, JSON.stringify({ names: refs.map((r) => r.name), dim }));
  await writeFile(`${base}.f32`, Buffer.from(data.buffer));
  console.error(`${set}: ${refs.length} variants`);
}
