import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-regular-file.ts';

/**
 * Reads an image file as RGB values in 0–255 (float32, [size, size, 3]): the whole image fitted inside the
 * square on white, since logos have transparent backgrounds and stretching (Keras's `load_img`) distorts them.
 * The original notebook scaled to 0–1 before a preprocessing that expects 0–255; each backbone's `preprocess`
 * takes it from here.
 */
export async function readImageRgb(file: string | Buffer, size: number): Promise<Float32Array> {
  let input: Buffer;
  if (typeof file === 'string') {
    // Never handed to libvips by path: a FIFO or a device there would block or exhaust it (see readRegularFile).
    const read = await readRegularFile(file, MAX_IMAGE_FILE_BYTES);
    if ('code' in read) throw Object.assign(new Error(`${file}: ${read.reason}`), { code: read.code });
    input = read.buf;
  } else input = file;
  const { data, info } = await sharp(input, { failOn: 'truncated', animated: false })
    .rotate()
    .resize(size, size, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    throw new Error(`${typeof file === 'string' ? file : 'image'}: decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  return Float32Array.from(data);
}

/** Stacks several images into one [n, size, size, 3] tensor of 0–255 values. */
export async function readImageBatch(files: Array<string | Buffer>, size: number): Promise<tf.Tensor4D> {
  const pixels = await Promise.all(files.map((f) => readImageRgb(f, size)));
  const batch = new Float32Array(files.length * size * size * 3);
  pixels.forEach((p, i) => batch.set(p, i * p.length));
  return tf.tensor4d(batch, [files.length, size, size, 3]);
}
