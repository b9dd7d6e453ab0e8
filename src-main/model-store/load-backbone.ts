import type { Backbone, WeightsOptions } from '../ml/backbones/backbone.ts';
import { backboneEntry, OFFLINE_BACKBONE, PREFERRED_BACKBONE, preprocessFor, recipeFor } from '../ml/backbones/registry.ts';
import { applyRecipe } from '../ml/backbones/recipe-model.ts';
import { splitBackbone } from '../ml/backbones/split-backbone.ts';
import type * as tf from '@tensorflow/tfjs';
import { measuredBestRecipe, type BackboneId, type FeatureRecipeId } from '../../src-shared/train-options.ts';

export type { WeightsOptions };

/** Asks {@link loadBackbone} for the backbone's own default recipe (its registry entry's `defaultRecipe`). */
export const MEASURED_BEST = 'measured-best';

/**
 * Loads the backbone a run asks for, at `inputSize` (undefined: the backbone's own). Without an explicit choice:
 * the preferred backbone (ResNet50, the original's) when its weights are on this machine, else the offline one
 * with a one-line notice saying why. An explicit choice whose weights are missing is an error naming the file.
 * Its `preprocess` is always the registry's, the one the export documents. With a feature `recipe` other than
 * `final`, the model outputs the recipe's pooled features and `preprocess` applies its colour handling first;
 * `inputSize` undefined is then the recipe's own size, if it has one.
 */
export async function loadBackbone(
  choice: BackboneId | undefined,
  inputSize: number | undefined,
  weights: WeightsOptions,
  notice: (line: string) => void,
  recipe: FeatureRecipeId | typeof MEASURED_BEST = 'final',
): Promise<Backbone> {
  const load = async (id: string) => {
    const entry = backboneEntry(id);
    const chosen = recipe === MEASURED_BEST ? measuredBestRecipe(id) : recipe;
    const spec = recipeFor(id, chosen);
    const backbone = await entry.load({ ...weights, inputSize: inputSize ?? spec?.inputSize ?? entry.inputSize });
    const plain = { ...backbone, preprocess: preprocessFor(id) };
    if (!spec) return plain;
    try {
      return applyRecipe(plain, chosen, spec);
    } catch (e) {
      backbone.model.dispose();
      throw e;
    }
  };
  if (choice !== undefined) return load(choice);
  if (recipe !== 'final' && recipe !== MEASURED_BEST && !backboneEntry(PREFERRED_BACKBONE).recipes?.[recipe]) {
    notice(`notice: --features ${recipe} is a recipe of ${backboneEntry(OFFLINE_BACKBONE).label}, not of ${backboneEntry(PREFERRED_BACKBONE).label}; training on ${backboneEntry(OFFLINE_BACKBONE).label}`);
    return load(OFFLINE_BACKBONE);
  }
  try {
    return await load(PREFERRED_BACKBONE);
  } catch (e) {
    // A weights file the user named is a request, not a preference: say what is wrong with it.
    if (weights.weightsPath || (e as { code?: string }).code !== 'WEIGHTS_MISSING') throw e;
    const preferred = backboneEntry(PREFERRED_BACKBONE);
    const file = preferred.weights.kind === 'file' ? ` (${preferred.weights.file.fileName})` : '';
    notice(
      `notice: ${preferred.label}'s ImageNet weights are not on this machine${file}; training on the offline ${backboneEntry(OFFLINE_BACKBONE).label} instead ` +
        `(--backbone ${PREFERRED_BACKBONE} --download-weights to fetch them)`,
    );
    return load(OFFLINE_BACKBONE);
  }
}

/**
 * Partial mode's view of a loaded backbone: `prefix` is a Backbone whose model outputs the activation at the
 * freeze point (cached per image like features, under its own key), `suffix` the backbone's layers from there
 * on, which train. Both share the backbone's weights: dispose `backbone.model` alone.
 */
export function partialBackbone(backbone: Backbone): { prefix: Backbone; suffix: tf.LayersModel } {
  const { prefix, suffix, cutLayer } = splitBackbone(backbone.model, backbone.freezeBefore);
  return { prefix: { ...backbone, model: prefix, cutAt: cutLayer }, suffix };
}
