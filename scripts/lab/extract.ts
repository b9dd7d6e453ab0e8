/**
 * Lab step 1: frozen recipe features of every image of the eval sets (train + test folders), written to
 * OUT/SET-RECIPE.json (names) + .f32 (rows), so head experiments run in seconds. Uses the app's own loader.
 *   npx tsx scripts/lab/extract.ts --recipe mid-multi-gem-polarity --out /tmp/head-lab
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../src-main/ml/backend.ts';
import { loadBackbone } from '../../src-main/model-store/load-backbone.ts';
import { backboneOutputs } from '../../src-main/model-store/feature-cache.ts';
import { applyRecipe } from '../../src-main/ml/backbones/recipe-model.ts';
import { preprocessFor } from '../../src-main/ml/backbones/registry.ts';
import type { FeatureRecipeId } from '../../src-shared/train-options.ts';

const { values } = parseArgs({ options: { recipe: { type: 'string', default: 'mid-multi-gem-polarity' }, out: { type: 'string', default: '/tmp/head-lab' }, sets: { type: 'string', default: 'brands,icons' }, root: { type: 'string', default: 'eval-sets' }, extra: { type: 'string' } } });
await initBackend();
const WIDE = ['block_8_add', 'block_9_add', 'block_10_project_BN', 'block_11_add', 'block_12_add', 'block_13_project_BN', 'block_14_add', 'block_15_add', 'block_16_project_BN', 'out_relu'];
const backbone = values.recipe === 'wide'
  ? applyRecipe({ ...(await loadBackbone('mobilenetv2', 224, {}, () => {}, 'final')), preprocess: preprocessFor('mobilenetv2') }, 'mid-multi-gem-polarity', { layers: WIDE, pooling: 'gem', gemP: 3, colour: 'polarity', help: '' })
  : await loadBackbone('mobilenetv2', undefined, {}, (l) => console.error(l), values.recipe as FeatureRecipeId);
await mkdir(values.out, { recursive: true });
for (const set of values.sets.split(',')) {
  const files: string[] = [];
  for (const split of ['train', 'test']) for (const side of ['left', 'right']) {
    const dir = path.join(values.root, set, split, side);
    for (const n of (await readdir(dir)).sort()) files.push(path.join(split, side, n));
  }
  const dim = backbone.model.outputs[0].shape.slice(1).reduce((a, b) => (a as number) * (b as number), 1) as number;
  const data = new Float32Array(files.length * dim);
  const t0 = performance.now();
  for (let b = 0; b < files.length; b += 16) {
    const chunk = files.slice(b, b + 16);
    data.set(await backboneOutputs(backbone, chunk.map((f) => path.join(values.root, set, f))), b * dim);
    if (b % 160 === 0) console.error(`${set}: ${b}/${files.length} ${((b + chunk.length) / ((performance.now() - t0) / 1000)).toFixed(1)} img/s`);
  }
  const base = path.join(values.out, `${set}-${values.recipe}`);
  await writeFile(`${base}.json`, JSON.stringify({ files, dim }));
  await writeFile(`${base}.f32`, Buffer.from(data.buffer));
}
