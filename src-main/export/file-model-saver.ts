import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';

/** The weights file next to model.json. */
export const WEIGHTS_FILE = 'weights.bin';

/**
 * A tfjs save handler that writes a LayersModel as `model.json` + `weights.bin` in `dir`, the layout
 * `tf.loadLayersModel` reads over http:// or file:// (tfjs-node). Needed because the plain tfjs package has no
 * file:// saver. The weights are one file rather than tfjs's 4 MB shards: a model is copied and loaded whole.
 * model.json is written last, so a reader never finds it without its weights.
 */
export function fileModelSaver(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer || !artifacts.modelTopology) {
        throw new Error('only layers models (JSON topology) can be saved to files here');
      }
      const weights = artifacts.weightData ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : Buffer.alloc(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      const json = JSON.stringify(modelJson);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), weights);
      fs.writeFileSync(path.join(dir, 'model.json'), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(artifacts.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}
