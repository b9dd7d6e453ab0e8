import * as tf from '@tensorflow/tfjs';
import { applyColourHandling } from '../colour-handling.ts';
import { RecipePool } from '../feature-pooling.ts';
import type { FeatureRecipeId } from '../../../src-shared/train-options.ts';
import type { Backbone, FeatureRecipe } from './backbone.ts';

/**
 * A loaded backbone whose model outputs a recipe's pooled vector instead of the backbone's final feature, and
 * whose preprocessing applies the recipe's colour handling before the normalisation. Layers the recipe does not
 * reach are disposed (their weights would only take memory); the returned model owns the rest.
 */
export function applyRecipe(backbone: Backbone, id: FeatureRecipeId, recipe: FeatureRecipe): Backbone {
  const full = backbone.model;
  const outputs = recipe.layers.map((name) => {
    const layer = full.layers.find((l) => l.name === name);
    if (!layer) throw new Error(`feature recipe ${id}: ${backbone.id} has no layer ${name}`);
    return layer.output as tf.SymbolicTensor;
  });
  const pooled = new RecipePool({ pooling: recipe.pooling, p: recipe.gemP, name: 'recipe_pool' })
    .apply(outputs.length === 1 ? outputs[0] : outputs) as tf.SymbolicTensor;
  const model = tf.model({ inputs: full.inputs, outputs: pooled, name: `${full.name}_${id.replace(/-/g, '_')}` });
  const kept = new Set(model.layers);
  for (const layer of full.layers) if (!kept.has(layer)) layer.dispose();
  const freezeBefore = recipe.freezeBefore ?? backbone.freezeBefore;
  if (!model.layers.some((l) => l.name === freezeBefore)) {
    throw new Error(`feature recipe ${id}: its freeze point ${freezeBefore} is not among the layers it uses`);
  }
  const normalise = backbone.preprocess;
  return {
    ...backbone,
    model,
    featureLayer: 'recipe_pool',
    freezeBefore,
    recipe: id,
    preprocess: (rgb255) => {
      const handled = applyColourHandling(rgb255, recipe.colour);
      try {
        return normalise(handled);
      } finally {
        handled.dispose();
      }
    },
  };
}
