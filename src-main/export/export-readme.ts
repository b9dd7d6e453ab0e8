import type { RunSummary } from '../../src-shared/training-types.ts';
import type { PreprocessingSpec } from './preprocessing-spec.ts';

/**
 * The L2Normalize layer in plain JavaScript, for loading the model outside Lookalike. Kept identical in maths to
 * src-main/ml/head.ts (the export's test loads the model with this very snippet).
 */
export const L2_NORMALIZE_SNIPPET = `class L2Normalize extends tf.layers.Layer {
  static className = 'L2Normalize';
  computeOutputShape(shape) { return shape; }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12)));
    });
  }
}
tf.serialization.registerClass(L2Normalize);`;

/** README.md of an export folder: what each file is and how to use the model. */
export function exportReadme(run: RunSummary, spec: PreprocessingSpec, images: number): string {
  const n = spec.normalisation;
  const size = spec.inputShape[1];
  return `# Lookalike run ${run.id} — exported

Dataset "${run.datasetName}", backbone ${run.config.backbone} (${run.weightsSource}), ${run.config.mode} mode,
${run.epochsDone} of ${run.config.epochs} epochs, status ${run.status}.

| file | what it is |
|---|---|
| \`model/model.json\`, \`model/weights.bin\` | the image → embedding model, TensorFlow.js LayersModel format |
| \`model/preprocessing.json\` | the input the model expects (below) |
| \`config.json\` | the run's hyperparameters, backbone, weights source, backend, dates |
| \`metrics.json\` | test/val retrieval, the match threshold tau, and every epoch |
| \`embeddings.csv\`, \`embeddings.json\` | the ${images} images of the dataset and their ${spec.output.dim}-d embeddings |

## Input

A float32 tensor \`[n, ${size}, ${size}, 3]\` (NHWC). Lookalike makes it from an image file like this: apply EXIF
orientation, ${spec.image.resize}, ${spec.image.background}, sRGB, values 0–255. Then, per channel:
\`(pixel in ${n.channelOrder} order − [${n.mean.join(', ')}]) / [${n.std.join(', ')}]\` — ${n.formula}.
This normalisation is **not** part of the model: apply it yourself.

## Output

\`[n, ${spec.output.dim}]\`, L2-normalised: the cosine similarity of two images is the dot product of their
outputs. Two images match when it is at least tau (${run.metrics?.tau == null ? 'this run is uncalibrated (too few val pairs), so it has no tau and Lookalike gives no match verdicts with it' : `${run.metrics.tau.toFixed(4)}, calibrated on its val split`}).

## Loading

The last layer is a custom \`L2Normalize\` layer; register it before loading:

\`\`\`js
${L2_NORMALIZE_SNIPPET}
\`\`\`

then \`await tf.loadLayersModel('file://…/model/model.json')\` with @tensorflow/tfjs-node, or with an http URL in
a browser.
`;
}
