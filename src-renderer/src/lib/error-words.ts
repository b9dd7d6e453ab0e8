import { TRAIN_OPTIONS } from '../../../src-shared/train-options.ts';
import type { StoreError } from './store-error.ts';

/** An error as the app says it: what happened and what to do next, in the user's words; the code goes in a fold. */
export interface PlainError {
  /** What happened, as a sentence. */
  text: string;
  /** What the user can do about it. */
  next: string;
  /** The form field at fault, when there is one (the form marks it). */
  field?: string;
  code: string;
  /** The service's own words, without command-line flags, for the details fold. */
  details: string;
}

type Words = { text: string; next: string; field?: string };

/**
 * Every code the services, the bridge and the stores send, in one place. A code not listed falls back to a
 * general sentence; the details fold still shows the code and the service's message.
 */
const WORDS: Record<string, Words> = {
  // Import
  NO_FOLDER: { text: 'No folder was given.', next: 'Type the path of a folder that holds left/ and right/, or choose one with Browse…', field: 'folder' },
  NOT_PAIRED_FOLDER: {
    text: 'That folder is not a paired folder: it needs a left/ folder of logos and a right/ folder of look-alikes.',
    next: 'Choose the folder that contains left/ and right/ (not one of them); a logo and its look-alike share a file name.',
    field: 'folder',
  },
  DATASET_NAME_TAKEN: { text: 'A dataset with that name already comes from another folder.', next: 'Type another dataset name, or leave the name empty to use the folder\'s.', field: 'name' },
  DATASET_NAME_MISSING: { text: 'The dataset needs a name.', next: 'Type a dataset name.', field: 'name' },
  NO_SAMPLE_PATH: { text: 'This server does not say where its sample dataset is.', next: 'Type the sample\'s folder (samples/brands in the Lookalike folder) and press Import folder.' },
  DATASET_NOT_FOUND: { text: 'That dataset is no longer in the catalog.', next: 'Reload the page to see the datasets there are now.' },
  // Training
  BAD_TRAIN_CONFIG: { text: 'One of the training settings is out of range.', next: 'Correct the marked setting and start again.' },
  TOO_FEW_PAIRS: { text: 'This dataset has too few training pairs to train on.', next: 'Import a folder with more pairs (at least 2 for training; 20 or more give a model worth using).' },
  RUN_DONE: { text: 'That run has already finished.', next: 'Start a new run instead of resuming this one.' },
  RUN_BUSY: { text: 'That run is being trained elsewhere right now.', next: 'Wait for it to end, or resume a different run.' },
  RUN_NOT_FOUND: { text: 'That run is no longer in the catalog.', next: 'Reload the page to see the runs there are now.' },
  WORKER_CRASHED: { text: 'The training or search process stopped unexpectedly.', next: 'Try again; if it happens again, try a smaller batch size or the MobileNetV2 backbone (less memory).' },
  WEIGHTS_MISSING: { text: 'The backbone\'s pretrained weights are not on this machine.', next: 'Choose the MobileNetV2 backbone, which ships with Lookalike, or install the ResNet50 weights (see the README).', field: 'backbone' },
  WEIGHTS_INVALID: { text: 'The backbone\'s weights file is damaged or of another model.', next: 'Replace the weights file (see the README), or choose the MobileNetV2 backbone.', field: 'backbone' },
  WEIGHTS_CHECKSUM: { text: 'The backbone\'s weights file is not the expected one.', next: 'Replace the weights file (see the README), or choose the MobileNetV2 backbone.', field: 'backbone' },
  WEIGHTS_DOWNLOAD: { text: 'The backbone\'s weights could not be fetched.', next: 'Install the weights file by hand (see the README), or choose the MobileNetV2 backbone.', field: 'backbone' },
  // Query
  NO_IMAGE: { text: 'No image is chosen yet.', next: 'Choose or drop the image to search for.' },
  NO_RUN: { text: 'There is no trained model to search with yet.', next: 'Train a run first, in the Train view: queries compare images with a trained model.' },
  NO_CHECKPOINT: { text: 'That run has no finished epoch yet, so it has no model to search with.', next: 'Pick another run in Model, or resume this one in the Train view.' },
  // A query image's own reason, with the importer's codes (search/query-catalog.ts).
  NOT_FOUND: { text: 'That file does not exist.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  NOT_REGULAR_FILE: { text: 'That is not a regular file (a device, pipe or socket).', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  FILE_TOO_LARGE: { text: 'That file is over the size limit for one image.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  TOO_MANY_PIXELS: { text: 'That image has more pixels than Lookalike reads.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  DIRECTORY: { text: 'That is a folder, not an image file.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  EMPTY_FILE: { text: 'That file is empty.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  UNREADABLE: { text: 'Lookalike is not allowed to read that file.', next: 'Check the file\'s permissions, or choose another image file.' },
  NOT_AN_IMAGE: { text: 'That file is not an image.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  CORRUPT_IMAGE: { text: 'That image is damaged or cut short.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  UNSUPPORTED_TYPE: { text: 'Lookalike does not read that kind of file.', next: 'Choose another image file (JPEG, PNG, WebP, GIF, TIFF, AVIF or SVG).' },
  BAD_QUERY: { text: 'The number of results is out of range.', next: 'Ask for 1 to 100 results.', field: 'top' },
  BAD_FEEDBACK: { text: 'That mark could not be saved: the result is no longer in the catalog.', next: 'Search again and mark the new results.' },
  // Connection and server
  DISCONNECTED: { text: 'The connection to the Lookalike server dropped before it answered.', next: 'Wait for the page to reconnect (the banner at the top says when), then try again.' },
  TIMEOUT: { text: 'The Lookalike server did not answer in time.', next: 'Check that the server is still running, then try again.' },
  FORBIDDEN: { text: 'The server refused this page.', next: 'Open the address the server printed when it started, including its token.' },
  UNKNOWN_REQUEST: { text: 'The server does not know this request: it is an older version than this page.', next: 'Restart the server from the same Lookalike version, then reload the page.' },
  NOT_IMPLEMENTED: { text: 'This server cannot do that yet.', next: 'Update Lookalike, then reload the page.' },
  CATALOG_OPEN: { text: 'The catalog file could not be opened.', next: 'Check that the catalog\'s folder exists and is writable, then restart Lookalike.' },
  CATALOG_TOO_NEW: { text: 'The catalog was written by a newer Lookalike.', next: 'Update Lookalike to open it.' },
  CATALOG_MIGRATE: { text: 'The catalog could not be upgraded to this version.', next: 'Keep a copy of the catalog file and report the details below.' },
  ENOENT: { text: 'A file or folder was not found.', next: 'Check the path and try again.' },
  EACCES: { text: 'Lookalike is not allowed to read or write there.', next: 'Check the folder\'s permissions, or choose another folder.' },
  EPERM: { text: 'Lookalike is not allowed to read or write there.', next: 'Check the folder\'s permissions, or choose another folder.' },
  CANCELLED: { text: 'Cancelled.', next: 'Start it again when you are ready.' },
  SHUTTING_DOWN: { text: 'Lookalike is shutting down, so nothing new can start.', next: 'Start Lookalike again, then try once more.' },
  FAILED: { text: 'The job failed without saying why.', next: 'Try again; if it happens again, report the details below.' },
};

const FALLBACK: Words = { text: 'Something went wrong that Lookalike has no plain explanation for.', next: 'Try again; if it happens again, report the details below.' };

/**
 * Command-line flags as the services name them → the field (and label) the app's forms use: every training
 * option's from the option registry, plus the two flags of import and serve.
 */
const FLAG_FIELDS: Record<string, { field: string; label: string }> = {
  ...Object.fromEntries(Object.entries(TRAIN_OPTIONS).map(([key, o]) => [o.flag, { field: key, label: o.label }])),
  name: { field: 'name', label: 'name' },
  port: { field: 'port', label: 'port' },
};

/** A service message with `--flag` replaced by the setting's name in the app ("choose another --name" → "… name"). */
export function withoutFlags(message: string): string {
  return message
    .replace(/(?:\(pass |with )?--([a-z][a-z-]*)\)?/g, (_, flag: string) => FLAG_FIELDS[flag]?.label ?? flag.replace(/-/g, ' '))
    .replace(/`lookalike serve`/g, 'the Lookalike server');
}

/** The plain words for a store error. */
export function explainError(error: StoreError): PlainError {
  const words = WORDS[error.code] ?? FALLBACK;
  let field = words.field;
  let text = words.text;
  if (error.code === 'BAD_TRAIN_CONFIG') {
    const flag = /--([a-z][a-z-]*)/.exec(error.message)?.[1];
    const known = flag ? FLAG_FIELDS[flag] : undefined;
    if (known) {
      field = known.field;
      const rest = error.message.slice(error.message.indexOf(`--${flag}`) + flag!.length + 2).trim();
      text = `${known.label} ${withoutFlags(rest)}.`;
    }
  }
  return { text, next: words.next, field, code: error.code, details: withoutFlags(error.message) };
}

/** The field a form should mark for this error, if any. */
export function faultyField(error: StoreError | null): string | undefined {
  return error ? explainError(error).field : undefined;
}
