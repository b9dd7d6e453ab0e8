import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { MAX_IMAGE_FILE_BYTES, readRegularFile } from '../read-regular-file.ts';

/** A file's bytes, never handed to libvips by path: a FIFO or a device there would block or exhaust it (see readRegularFile). */
async function imageBytes(file: string | Buffer): Promise<Buffer> {
  if (typeof file !== 'string') return file;
  const read = await readRegularFile(file, MAX_IMAGE_FILE_BYTES);
  if ('code' in read) throw Object.assign(new Error(`${file}: ${read.reason}`), { code: read.code });
  return read.buf;
}

/** Decodes and fits one image; the libvips work is queued on libuv's threads as soon as this is called. */
async function decodeRgb(input: Buffer, size: number, label: string): Promise<Float32Array> {
  const { data, info } = await sharp(input, { failOn: 'truncated', animated: false })
    .rotate()
    .resize(size, size, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
    // libvips does not know which file it was given; in a batch of many, the user needs to.
    .catch((e: Error) => {
      throw Object.assign(new Error(`${label}: ${e.message}`), { cause: e });
    });
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    throw new Error(`${label}: decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  return Float32Array.from(data);
}

const labelOf = (file: string | Buffer) => (typeof file === 'string' ? file : 'image');

/**
 * Reads an image file as RGB values in 0–255 (float32, [size, size, 3]): the whole image fitted inside the
 * square on white, since logos have transparent backgrounds and stretching (Keras's `load_img`) distorts them.
 * The original notebook scaled to 0–1 before a preprocessing that expects 0–255; each backbone's `preprocess`
 * takes it from here.
 */
export async function readImageRgb(file: string | Buffer, size: number): Promise<Float32Array> {
  return decodeRgb(await imageBytes(file), size, labelOf(file));
}

/** Several images' 0–255 RGB values back to back ([n, size, size, 3] row-major), decoded in parallel. */
export async function decodeImageBatch(files: ReadonlyArray<string | Buffer>, size: number): Promise<Float32Array> {
  return (await startImageBatch(files, size)).pixels;
}

/**
 * Starts reading and decoding a batch so that the decoding overlaps other work (the previous batch's forward
 * pass): resolves once every file's bytes are read and its decode is queued on libuv's threads, which run
 * on even while the JavaScript thread is busy or blocked in a native call. Never rejects: a failure is
 * `pixels`' rejection, which is marked handled until someone awaits it.
 */
export async function startImageBatch(files: ReadonlyArray<string | Buffer>, size: number): Promise<{ pixels: Promise<Float32Array> }> {
  const bytes = Promise.all(files.map(imageBytes));
  const pixels = bytes.then(async (inputs) => {
    const decoded = await Promise.all(inputs.map((input, i) => decodeRgb(input, size, labelOf(files[i]))));
    const batch = new Float32Array(files.length * size * size * 3);
    decoded.forEach((p, i) => batch.set(p, i * p.length));
    return batch;
  });
  pixels.catch(() => {});
  // `pixels`' reaction to the bytes (which queues the decodes) was registered first, so it has run by now.
  await bytes.catch(() => {});
  return { pixels };
}

/** Stacks several images into one [n, size, size, 3] tensor of 0–255 values. */
export async function readImageBatch(files: Array<string | Buffer>, size: number): Promise<tf.Tensor4D> {
  return tf.tensor4d(await decodeImageBatch(files, size), [files.length, size, size, 3]);
}
