import type { Backbone } from '../ml/backbones/backbone.ts';
import { loadMobileNetV2 } from '../ml/backbones/mobilenetv2.ts';
import { buildResNet50 } from '../ml/backbones/resnet50.ts';
import { locateWeights, RESNET50_NOTOP_WEIGHTS, type DownloadProgress } from '../ml/backbones/weights-cache.ts';
import type { BackboneChoice } from '../../src-shared/training-types.ts';

/** Where ResNet50's Keras weights may come from. */
export interface WeightsOptions {
  /** An explicit HDF5 file (`--weights FILE`). */
  resnet50Path?: string;
  /** The app's cache folder for downloaded weights. */
  cacheDir?: string;
  /** Only with the user's consent (`--download-weights`): the file is ~94 MB. */
  allowDownload?: boolean;
  onDownload?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

/**
 * Loads the backbone a run asks for. Without an explicit choice: ResNet50 (the original's) when its Keras
 * weights are on this machine, else the offline MobileNetV2 with a one-line notice saying why. An explicit
 * `resnet50` without weights is an error naming the file and where to put it.
 */
export async function loadBackbone(
  choice: BackboneChoice | undefined,
  inputSize: (b: BackboneChoice) => number,
  weights: WeightsOptions,
  notice: (line: string) => void,
): Promise<Backbone> {
  if (choice === 'mobilenetv2') return loadMobileNetV2({ inputSize: inputSize('mobilenetv2') });
  try {
    const located = await locateWeights({
      spec: RESNET50_NOTOP_WEIGHTS,
      explicitPath: weights.resnet50Path,
      cacheDir: weights.cacheDir,
      allowDownload: weights.allowDownload,
      onProgress: weights.onDownload,
      signal: weights.signal,
    });
    return await buildResNet50({ inputSize: inputSize('resnet50'), weights: 'imagenet-h5', h5Path: located.path });
  } catch (e) {
    // A backbone or a weights file the user named is a request, not a preference: say what is wrong with it.
    if (choice === 'resnet50' || weights.resnet50Path || (e as { code?: string }).code !== 'WEIGHTS_MISSING') throw e;
    notice(`notice: ResNet50's ImageNet weights are not on this machine (${RESNET50_NOTOP_WEIGHTS.fileName}); training on the offline MobileNetV2 instead (--backbone resnet50 --download-weights to fetch them)`);
    return loadMobileNetV2({ inputSize: inputSize('mobilenetv2') });
  }
}
