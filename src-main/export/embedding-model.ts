import * as tf from '@tensorflow/tfjs';
import type { Db } from '../catalog/open-catalog.ts';
import { initBackend } from '../ml/backend.ts';
import type { Backbone } from '../ml/backbones/backbone.ts';
import { buildSiamese } from '../ml/head.ts';
import { EmbedderError } from '../model-store/embedder.ts';
import { checkpointLoader } from '../model-store/checkpoint-io.ts';
import { loadBackbone, partialBackbone, type WeightsOptions } from '../model-store/load-backbone.ts';
import { loadCheckpoint } from '../catalog/runs.ts';
import type { RunSummary } from '../../src-shared/training-types.ts';

/** A run's model from pixels to embedding, with the backbone whose preprocessing it expects. */
export interface ImageEmbeddingModel {
  model: tf.LayersModel;
  backbone: Backbone;
  dispose(): void;
}

/**
 * The whole image → embedding model of a run, as one LayersModel. A head-mode run stores only its head (the
 * backbone was frozen and is rebuilt from its package or weights file), so backbone and head are stacked with
 * `buildSiamese`; a finetune run's checkpoint already is the whole model.
 * @throws EmbedderError NO_CHECKPOINT before the run's first epoch.
 */
export async function runImageModel(db: Db, run: RunSummary, weights: WeightsOptions = {}): Promise<ImageEmbeddingModel> {
  const checkpoint = loadCheckpoint(db, run.id);
  if (!checkpoint) throw new EmbedderError('NO_CHECKPOINT', `run ${run.id} has no finished epoch yet, so no model to export`);
  await initBackend();
  const backbone = await loadBackbone(run.config.backbone, run.config.inputSize, weights, () => {}, run.config.features ?? 'final');
  let stored: tf.LayersModel | undefined;
  try {
    if (backbone.id !== run.config.backbone) throw new Error(`run ${run.id} was trained on ${run.config.backbone}, which cannot be loaded here`);
    stored = await tf.loadLayersModel(checkpointLoader(checkpoint));
    // A partial run's checkpoint starts at the freeze point: the frozen prefix goes in front of it.
    const model = run.config.mode === 'head' ? buildSiamese({ backbone: backbone.model, head: stored })
      : run.config.mode === 'partial' ? buildSiamese({ backbone: partialBackbone(backbone).prefix.model, head: stored }) : stored;
    const head = stored;
    return {
      model,
      backbone,
      dispose() {
        // Stacking applied the head once more, so its reference count would keep head.dispose() from freeing
        // its weights (tfjs counts uses of a layer): free them directly, as the trainer does.
        if (model !== head) head.weights.forEach((w) => w.dispose());
        else head.dispose();
        backbone.model.dispose();
      },
    };
  } catch (e) {
    stored?.dispose();
    backbone.model.dispose();
    throw e;
  }
}
