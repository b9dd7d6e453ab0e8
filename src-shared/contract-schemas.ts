/**
 * One schema per request of the contract: what each request's arguments must look like, with upper bounds, checked
 * where requests enter (handlers/dispatch.ts: Electron IPC and the WebSocket alike). The compiler fails when a
 * request of `Requests` has no schema here, or when a schema's output is not exactly that request's args.
 *
 * valibot, not zod: the same schemas bundle to ~2 KB gzipped (zod/mini ~7 KB, zod ~26 KB) and it installs at
 * 1.8 MB (zod 8.4 MB); both infer output types equally well.
 */
import * as v from 'valibot';
import type { ArgsOf, RequestName } from './contract.ts';
import { trainRequestSchema } from './train-request-schema.ts';
import { boundedNumber, wholeNumber, text } from './schema-parts.ts';
import { BATCH_EXPORT_FORMATS } from './batch-types.ts';
import { BACKBONE_IDS, FEATURE_RECIPE_IDS, TRAIN_MODES, TRAIN_OPTIONS } from './train-options.ts';

/** The largest value of each kind of argument. Far above any real use; they stop typos and abuse, not users. */
export const ARG_LIMITS = {
  /** Linux's PATH_MAX. */
  pathChars: 4096,
  nameChars: 200,
  /** Job ids are UUIDs (36 characters). */
  jobIdChars: 100,
  /** A query image uploaded from the browser, as base64 (≈ 48 MB of image). */
  uploadBase64Chars: 64 * 1024 * 1024,
  /** Results of one query (the query service's own limit too). */
  top: 1000,
  /** Files and folders named in one batch query (a folder counts once, whatever it holds). */
  batchInputs: 10_000,
} as const;

/** Catalog row ids: SQLite rowids start at 1, and JavaScript counts exactly up to 2^53 − 1. */
const id = (what: string) => wholeNumber(`a ${what} id`, 1, Number.MAX_SAFE_INTEGER);
const path = (what: string) => text(`a ${what} path`, 1, ARG_LIMITS.pathChars);
const noArgs = v.void('nothing (this request takes no arguments)');
const jobId = v.strictObject({ jobId: text('a job id', 1, ARG_LIMITS.jobIdChars) }, 'an object { jobId }');
const datasetOnly = v.strictObject({ datasetId: id('dataset') }, 'an object { datasetId }');
const runOnly = v.strictObject({ runId: id('run') }, 'an object { runId }');

/** An image sent as bytes (a browser upload): base64 within the upload limit, and the file's name. */
const uploadedImage = (nameChars: number) =>
  v.strictObject(
    {
      bytesBase64: v.pipe(
        v.string('the image’s bytes as base64'),
        v.minLength(1, 'the image’s bytes as base64 (not empty)'),
        v.maxLength(ARG_LIMITS.uploadBase64Chars, `the image’s bytes as base64, at most ${ARG_LIMITS.uploadBase64Chars} characters`),
        v.base64('the image’s bytes as base64'),
      ),
      name: text('a file name', 1, nameChars),
    },
    'an object { bytesBase64, name }',
  );

const queryImage = v.union(
  [
    v.strictObject({ path: path('image file') }, 'an object { path }'),
    uploadedImage(ARG_LIMITS.nameChars),
  ],
  'an image: { path } or { bytesBase64, name }',
);

/** What a batch query reads: a file or folder on the machine that runs it, or an uploaded file's bytes. */
const batchInput = v.union(
  [
    v.strictObject({ path: path('image file or folder') }, 'an object { path }'),
    uploadedImage(ARG_LIMITS.pathChars),
  ],
  'an image or folder: { path } or { bytesBase64, name }',
);
const outDir = v.optional(path('output folder'));

/** Every request's argument schema, by request name. */
export const REQUEST_SCHEMAS = {
  'app:info': noArgs,
  'renderer:ready': noArgs,
  'jobs:list': noArgs,
  'jobs:cancel': jobId,
  'datasets:list': noArgs,
  'datasets:pairs': datasetOnly,
  'datasets:problems': datasetOnly,
  'datasets:import': v.strictObject(
    { folder: path('folder'), name: v.optional(text('a dataset name', 1, ARG_LIMITS.nameChars)) },
    'an object { folder, name? }',
  ),
  'datasets:cancelImport': jobId,
  'datasets:removalPreview': datasetOnly,
  'datasets:remove': datasetOnly,
  'datasets:rename': v.strictObject({ datasetId: id('dataset'), name: text('a dataset name', 1, ARG_LIMITS.nameChars) }, 'an object { datasetId, name }'),
  'dialog:pickFolder': noArgs,
  'training:backend': noArgs,
  'training:start': v.strictObject({ datasetId: id('dataset'), request: trainRequestSchema }, 'an object { datasetId, request }'),
  'training:resume': runOnly,
  'training:cancel': jobId,
  'training:estimate': v.strictObject(
    {
      datasetId: id('dataset'),
      backbone: v.optional(v.picklist(BACKBONE_IDS, `one of ${BACKBONE_IDS.join(', ')}`)),
      features: v.optional(v.picklist(FEATURE_RECIPE_IDS, `one of ${FEATURE_RECIPE_IDS.join(', ')}`)),
      mode: v.optional(v.picklist(TRAIN_MODES, `one of ${TRAIN_MODES.join(', ')}`)),
      augment: v.optional(wholeNumber('a number of look-alikes per logo', TRAIN_OPTIONS.augment.min, TRAIN_OPTIONS.augment.max)),
    },
    'an object { datasetId, backbone?, features?, mode?, augment? }',
  ),
  // The app asks for every run with `{}`; no argument at all means the same.
  'runs:list': v.optional(v.strictObject({ datasetId: v.optional(id('dataset')) }, 'an object { datasetId? }'), {}),
  'runs:get': runOnly,
  'runs:removalPreview': runOnly,
  'runs:remove': runOnly,
  // 0 characters: taking the name away. The catalog trims it and refuses control characters (BAD_NAME).
  'runs:rename': v.strictObject({ runId: id('run'), name: text('a run name', 0, ARG_LIMITS.nameChars) }, 'an object { runId, name }'),
  'runs:task': v.variant(
    'kind',
    [
      v.strictObject({ kind: v.literal('evaluate'), runId: id('run'), folder: path('held-out folder') }, 'an object { kind: "evaluate", runId, folder }'),
      v.strictObject({ kind: v.literal('report'), runId: id('run'), outDir }, 'an object { kind: "report", runId, outDir? }'),
      v.strictObject({ kind: v.literal('export'), runId: id('run'), outDir }, 'an object { kind: "export", runId, outDir? }'),
    ],
    'a run task: { kind: "evaluate" | "report" | "export", runId, … }',
  ),
  'query:start': v.strictObject(
    {
      image: queryImage,
      runId: v.optional(id('run')),
      datasetId: v.optional(id('dataset')),
      side: v.optional(v.picklist(['left', 'right'], 'left or right')),
      top: v.optional(wholeNumber('a number of results', 1, ARG_LIMITS.top)),
      // A cosine similarity: a threshold outside [-1, 1] would judge every result the same way.
      tau: v.optional(boundedNumber('a match threshold (cosine similarity)', { min: -1, max: 1 })),
    },
    'an object { image, runId?, datasetId?, side?, top?, tau? }',
  ),
  'query:batch': v.strictObject(
    {
      inputs: v.pipe(
        v.array(batchInput, 'a list of images or folders'),
        v.minLength(1, 'at least one image or folder'),
        v.maxLength(ARG_LIMITS.batchInputs, `at most ${ARG_LIMITS.batchInputs} images or folders`),
      ),
      runId: v.optional(id('run')),
      datasetId: v.optional(id('dataset')),
      side: v.optional(v.picklist(['left', 'right'], 'left or right')),
      top: v.optional(wholeNumber('a number of matches per image', 1, 100)),
    },
    'an object { inputs, runId?, datasetId?, side?, top? }',
  ),
  'query:batchResult': jobId,
  'query:batchExport': v.strictObject(
    { jobId: text('a job id', 1, ARG_LIMITS.jobIdChars), format: v.picklist(BATCH_EXPORT_FORMATS, 'csv or html') },
    'an object { jobId, format }',
  ),
  'feedback:mark': v.strictObject(
    {
      querySha256: v.pipe(v.string('a SHA-256 hex digest'), v.regex(/^[0-9a-f]{64}$/, 'a SHA-256 hex digest (64 characters 0-9 a-f)')),
      resultImageId: id('catalog image'),
      verdict: v.nullable(v.picklist(['match', 'not-a-match'], 'match, not-a-match or null')),
      runId: v.optional(id('run')),
    },
    'an object { querySha256, resultImageId, verdict, runId? }',
  ),
  'dialog:pickImage': noArgs,
} as const satisfies { [K in RequestName]: v.GenericSchema<unknown, ArgsOf<K>> };

// `satisfies` above only checks that each schema's output fits its args. This checks that they are the same type
// (the compiler's own identity test, on both sides flattened), so a schema that forgets an optional argument — and
// would refuse it — does not compile either.
type Flat<T> = T extends object ? { [K in keyof T]: Flat<T[K]> } : T;
type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
type SchemaMatchesArgs = { [K in RequestName]: Same<v.InferOutput<(typeof REQUEST_SCHEMAS)[K]>, ArgsOf<K>> };
const everySchemaMatches: { [K in RequestName]: true } = {} as SchemaMatchesArgs;
void everySchemaMatches;
