import type { Backbone, WeightsOptions } from '../ml/backbones/backbone.ts';
import { backboneEntry, OFFLINE_BACKBONE, PREFERRED_BACKBONE, preprocessFor } from '../ml/backbones/registry.ts';
import type { BackboneId } from '../../src-shared/train-options.ts';

export type { WeightsOptions };

/**
 * Loads the backbone a run asks for, at `inputSize` (undefined: the backbone's own). Without an explicit choice:
 * the preferred backbone (ResNet50, the original's) when its weights are on this machine, else the offline one
 * with a one-line notice saying why. An explicit choice whose weights are missing is an error naming the file.
 * Its `preprocess` is always the registry's, the one the export documents.
 */
export async function loadBackbone(
  choice: BackboneId | undefined,
  inputSize: number | undefined,
  weights: WeightsOptions,
  notice: (line: string) => void,
): Promise<Backbone> {
  const load = async (id: string) => {
    const entry = backboneEntry(id);
    const backbone = await entry.load({ ...weights, inputSize: inputSize ?? entry.inputSize });
    return { ...backbone, preprocess: preprocessFor(id) };
  };
  if (choice !== undefined) return load(choice);
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
