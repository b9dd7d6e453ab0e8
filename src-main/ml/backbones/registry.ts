import type * as tf from '@tensorflow/tfjs';
import type { BackboneId, FeatureRecipeId } from '../../../src-shared/train-options.ts';
import { normalise, type BackboneEntry, type FeatureRecipe } from './backbone.ts';
import { MOBILENETV2 } from './mobilenetv2.ts';
import { RESNET50 } from './resnet50.ts';

/**
 * The backbones Lookalike trains on, keyed by src-shared's `BACKBONE_IDS`: an id added there does not compile
 * until its entry is added here (docs/adding-a-backbone.md).
 */
const BUILT_IN = {
  resnet50: RESNET50,
  mobilenetv2: MOBILENETV2,
} satisfies Record<BackboneId, BackboneEntry>;

/** Tried first when a run names no backbone: the original's, when its weights are on this machine. */
export const PREFERRED_BACKBONE: BackboneId = 'resnet50';
/** The fallback that always works offline. */
export const OFFLINE_BACKBONE: BackboneId = 'mobilenetv2';

const entries = new Map<string, BackboneEntry>(Object.entries(BUILT_IN));

/** An id no backbone is registered under (e.g. a run stored by a newer version). */
export class UnknownBackboneError extends Error {
  readonly code = 'UNKNOWN_BACKBONE';
}

/** The entry of a backbone, or an error listing the registered ones. */
export function backboneEntry(id: string): BackboneEntry {
  const entry = entries.get(id);
  if (!entry) throw new UnknownBackboneError(`--backbone must be one of ${backboneIds().join(', ')}, not "${id}"`);
  return entry;
}

/** Every registered backbone id, built-ins first. */
export function backboneIds(): string[] {
  return [...entries.keys()];
}

/** Every registered entry. */
export function backboneEntries(): BackboneEntry[] {
  return [...entries.values()];
}

/**
 * Adds a backbone at run time (a test's tiny model, a plugin); returns the function that removes it again.
 * Built-ins belong in `BUILT_IN`, where the compiler checks them against the shared id list.
 */
export function registerBackbone(entry: BackboneEntry): () => void {
  if (entries.has(entry.id)) throw new Error(`a backbone "${entry.id}" is already registered`);
  entries.set(entry.id, entry);
  return () => {
    if (entries.get(entry.id) === entry) entries.delete(entry.id);
  };
}

/**
 * The backbone's input preprocessing as training, the feature cache and queries apply it (each loaded
 * `Backbone.preprocess` is this), derived from the same entry the export's preprocessing.json is written from.
 */
export function preprocessFor(id: string): (rgb255: tf.Tensor4D) => tf.Tensor4D {
  const { normalisation } = backboneEntry(id);
  return (rgb255) => normalise(rgb255, normalisation);
}

/** The recipes a backbone offers, `final` first. */
export function recipeIds(id: string): FeatureRecipeId[] {
  return ['final', ...(Object.keys(backboneEntry(id).recipes ?? {}) as FeatureRecipeId[])];
}

/**
 * A backbone's recipe by id: undefined for `final` (the backbone's own feature, nothing to change), an error
 * naming the backbone's recipes when it has no such one.
 */
export function recipeFor(id: string, recipe: FeatureRecipeId): FeatureRecipe | undefined {
  if (recipe === 'final') return undefined;
  const found = backboneEntry(id).recipes?.[recipe];
  if (!found) throw new UnknownRecipeError(`--features for ${id} must be one of ${recipeIds(id).join(', ')}, not "${recipe}"`);
  return found;
}

/** A recipe the backbone does not offer. */
export class UnknownRecipeError extends Error {
  readonly code = 'UNKNOWN_RECIPE';
}
