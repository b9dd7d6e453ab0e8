/**
 * The models scripts/bench-embed.ts measures, built the same way in the main thread and in its pool workers:
 * `mobilenetv2` (nsfwjs's weights, @224), `mobilenetv2:<recipe>` (a feature recipe, @224), `resnet50` (random
 * weights, seeded, @200: the arithmetic of the ImageNet model without its 94 MB download).
 */
import type { Backbone } from '../src-main/ml/backbones/backbone.ts';
import { buildResNet50 } from '../src-main/ml/backbones/resnet50.ts';
import { loadBackbone } from '../src-main/model-store/load-backbone.ts';
import type { FeatureRecipeId } from '../src-shared/train-options.ts';

/** `mobilenetv2`, `mobilenetv2:mid-multi-gem-polarity`, `resnet50`. */
export type BenchModelSpec = string;

/** The loaded model, and the name of the PyTorch anchor that does the same arithmetic. */
export async function benchModel(spec: BenchModelSpec): Promise<{ backbone: Backbone; anchor: string | null; label: string }> {
  const [id, recipe = 'final'] = spec.split(':');
  if (id === 'resnet50') {
    if (recipe !== 'final') throw new Error(`resnet50 has no recipe ${recipe}`);
    return { backbone: await buildResNet50({ weights: 'random', inputSize: 200, seed: 1 }), anchor: 'resnet50', label: 'ResNet50 @200 (random weights)' };
  }
  if (id !== 'mobilenetv2') throw new Error(`unknown bench model ${spec}`);
  const backbone = await loadBackbone('mobilenetv2', 224, {}, () => {}, recipe as FeatureRecipeId);
  // The anchor builds the multi-layer GeM recipes' arithmetic; colour handling is preprocessing, outside the model.
  const anchor = recipe === 'final' ? 'mobilenetv2' : recipe.startsWith('mid-multi-gem') ? 'mobilenetv2-mid-multi-gem' : null;
  return { backbone, anchor, label: `MobileNetV2 @224${recipe === 'final' ? '' : `, recipe ${recipe}`}` };
}
