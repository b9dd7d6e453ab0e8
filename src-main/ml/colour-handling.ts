import * as tf from '@tensorflow/tfjs';
import type { ColourHandling } from '../../src-shared/train-options.ts';

/** Width of the border whose mean decides polarity, in pixels (as scripts/measure-features.ts measured it). */
const BORDER = 4;

/**
 * Colour handling before a backbone sees an image, on 0–255 RGB [n, h, w, 3]; returns a new tensor.
 * - `colour`: as it is.
 * - `grey`: Rec. 601 luma replicated to the 3 channels, so a black glyph and the same shape in brand colours
 *   differ only by contrast.
 * - `polarity`: grey, inverted when the image's border is dark (light-on-dark logos become dark-on-light), then
 *   stretched so the lightest pixel is 255 and the darkest 0 (a pale yellow logo becomes as dark as a black one).
 *   A flat image has nothing to stretch and stays as it is.
 */
export function applyColourHandling(rgb255: tf.Tensor4D, handling: ColourHandling): tf.Tensor4D {
  if (handling === 'colour') return tf.clone(rgb255);
  return tf.tidy(() => {
    const [, h, w] = rgb255.shape;
    let y = tf.sum(tf.mul(rgb255, tf.tensor1d([0.299, 0.587, 0.114])), -1, true) as tf.Tensor4D; // [n, h, w, 1]
    if (handling === 'polarity') {
      const mask = borderMask(h, w);
      const borderMean = tf.div(tf.sum(tf.mul(y, mask), [1, 2, 3], true), tf.sum(mask));
      y = tf.where(tf.less(borderMean, 128).tile([1, h, w, 1]), tf.sub(255, y), y) as tf.Tensor4D;
      const lo = tf.min(y, [1, 2, 3], true);
      const range = tf.sub(tf.max(y, [1, 2, 3], true), lo);
      const stretched = tf.mul(tf.div(tf.sub(y, lo), tf.maximum(range, 1e-6)), 255);
      y = tf.where(tf.greater(range, 1).tile([1, h, w, 1]), stretched, y) as tf.Tensor4D;
    }
    return tf.tile(y, [1, 1, 1, 3]) as tf.Tensor4D;
  });
}

/** 1 on the outer BORDER pixels of an h × w image, 0 inside: [1, h, w, 1]. */
function borderMask(h: number, w: number): tf.Tensor4D {
  const values = new Float32Array(h * w);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (r < BORDER || c < BORDER || r >= h - BORDER || c >= w - BORDER) values[r * w + c] = 1;
    }
  }
  return tf.tensor4d(values, [1, h, w, 1]);
}
