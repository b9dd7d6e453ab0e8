/**
 * Import throughput: images per second from a paired folder into a fresh catalog, on this machine's cores.
 *
 *   npm run bench:import -- [--copies 20] [--repeats 3] [--concurrency 2,8]
 *
 * Prints one JSON object. Folders: `sample` = samples/brands as shipped (120 images); `synthetic` = the
 * sample's files repeated `--copies` times, each copy made unique (a few bytes after the image's end marker,
 * which decoders ignore), so every image is hashed, decoded and thumbnailed as a new one. Each folder is
 * imported `--repeats` times into a new catalog and the median is reported, once per concurrency setting
 * (files decoded at once), side by side in this one run; `phases` splits one import's wall time by phase.
 * `cpuMsPerImage` is the CPU time of every thread of the process per image (libvips and libuv's pool included),
 * which hardly depends on what else the machine runs; `imagesPerSecondOnIdleCores` = cores ÷ that, what the
 * import would reach with the cores to itself. `stepsPerImage` times each step of an import on its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openCatalog } from '../src-main/catalog/open-catalog.ts';
import sharp from 'sharp';
import { importFolder } from '../src-main/importer/import-folder.ts';
import { DEFAULT_LIMITS, decodeImage, readAndHash, THUMBNAIL_SIZE, THUMBNAIL_WEBP_EFFORT } from '../src-main/importer/probe-image.ts';
import { openImportStage } from '../src-main/catalog/import-commit.ts';

interface Options {
  copies: number;
  repeats: number;
  concurrency: number[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { copies: 20, repeats: 3, concurrency: [2, 4, 8, 16] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value after ${flag}`);
    if (flag === '--copies') o.copies = Number(value);
    else if (flag === '--repeats') o.repeats = Number(value);
    else if (flag === '--concurrency') o.concurrency = value.split(',').map(Number);
    else throw new Error(`unknown option ${flag}`);
  }
  if ([o.copies, o.repeats, ...o.concurrency].some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('copies, repeats and concurrency must be positive integers');
  return o;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The sample's pairs `copies` times over, each file's bytes made unique by a trailer after its end marker. */
function syntheticFolder(sample: string, copies: number, into: string): number {
  let images = 0;
  for (const side of ['left', 'right']) {
    fs.mkdirSync(path.join(into, side), { recursive: true });
    for (const file of fs.readdirSync(path.join(sample, side))) {
      const bytes = fs.readFileSync(path.join(sample, side, file));
      const { name, ext } = path.parse(file);
      for (let c = 0; c < copies; c++) {
        fs.writeFileSync(path.join(into, side, `${name}-${c}${ext}`), Buffer.concat([bytes, Buffer.from(`\0copy ${c}`)]));
        images++;
      }
    }
  }
  return images;
}

/**
 * The thumbnail step alone (decode + resize + WebP, the import's dominant cost), at libwebp's default effort 4
 * and at the importer's effort, 8 files in flight, alternated round by round so load drifts hit both alike.
 */
async function thumbnailEffort(folder: string, rounds = 5) {
  const files = ['left', 'right'].flatMap((side) => fs.readdirSync(path.join(folder, side)).map((f) => fs.readFileSync(path.join(folder, side, f))));
  const efforts = [...new Set([4, THUMBNAIL_WEBP_EFFORT])];
  const ms = new Map<number, number[]>(efforts.map((e) => [e, []]));
  const bytes = new Map<number, number>();
  for (let r = 0; r <= rounds; r++) {
    for (const effort of efforts) {
      let next = 0;
      let total = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < files.length) {
            const out = await sharp(files[next++]).rotate().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80, effort }).toBuffer();
            total += out.length;
          }
        }),
      );
      if (r > 0) ms.get(effort)!.push(performance.now() - t0); // round 0 warms up
      bytes.set(effort, total / files.length);
    }
  }
  return efforts.map((effort) => ({ effort, imagesPerSecond: round((files.length / median(ms.get(effort)!)) * 1000), meanBytes: Math.round(bytes.get(effort)!) }));
}

/**
 * What one image costs in each step of an import, measured step by step over the synthetic folder's files with
 * 8 in flight: CPU ms per image of the whole process (every thread) and wall ms per image. Reading + SHA-256,
 * sharp's header probe, the full decode (header probe + decode + resize + WebP thumbnail, as the importer runs
 * it), and the staging-table insert.
 */
async function stepCosts(folder: string, db: ReturnType<typeof openCatalog>) {
  const paths = ['left', 'right'].flatMap((side) => fs.readdirSync(path.join(folder, side)).map((f) => path.join(folder, side, f)));
  const read = await Promise.all(paths.map((p) => readAndHash(p, DEFAULT_LIMITS)));
  const bufs = read.map((r) => ('code' in r ? Buffer.alloc(0) : r.buf));
  const stage = openImportStage(db);
  const step = async (run: (i: number) => unknown, inFlight = 8) => {
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (next < paths.length) await run(next++);
    }));
    const cpu = process.cpuUsage(cpu0);
    return { cpuMsPerImage: round((cpu.user + cpu.system) / 1000 / paths.length, 3), wallMsPerImage: round((performance.now() - t0) / paths.length, 3) };
  };
  try {
    return {
      readAndHash: await step((i) => readAndHash(paths[i], DEFAULT_LIMITS)),
      header: await step((i) => sharp(bufs[i], { limitInputPixels: false }).metadata()),
      decodeAndThumbnail: await step((i) => decodeImage(bufs[i], String(i), DEFAULT_LIMITS)),
      stagingInsert: await step((i) => stage.add({ pair: `p${i}`, side: 'left', path: paths[i], sha256: String(i), width: 1, height: 1, format: 'png', bytes: 1, thumbnail: bufs[i].subarray(0, 2000) }), 1),
    };
  } finally {
    stage.drop();
  }
}

async function importOnce(folder: string, concurrency: number, work: string) {
  const dir = fs.mkdtempSync(path.join(work, 'catalog-'));
  const db = openCatalog(path.join(dir, 'catalog.sqlite'));
  const phases: Record<string, number> = {};
  let phase = '';
  let since = performance.now();
  const t0 = since;
  const cpu0 = process.cpuUsage();
  try {
    const result = await importFolder(db, folder, {
      concurrency,
      onProgress: (p) => {
        if (p.phase === phase) return;
        const now = performance.now();
        if (phase) phases[phase] = (phases[phase] ?? 0) + now - since;
        [phase, since] = [p.phase, now];
      },
    });
    const end = performance.now();
    const cpu = process.cpuUsage(cpu0);
    phases[phase] = (phases[phase] ?? 0) + end - since;
    if (result.problems.length) throw new Error(`the benchmark folder should import cleanly: ${JSON.stringify(result.problems.slice(0, 3))}`);
    const images = result.pairs * 2;
    // CPU time of every thread of the process (libvips and libuv's pool included): unlike images/s, it hardly
    // depends on what else the machine runs, so it says what the import would do with the cores to itself.
    return { seconds: (end - t0) / 1000, images, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / images, phasesMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(v)])) };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
const sample = path.resolve('samples/brands');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
const loadBefore = os.loadavg();
try {
  const synthetic = path.join(work, 'synthetic');
  syntheticFolder(sample, options.copies, synthetic);
  const folders = { sample, synthetic };
  const results = [];
  for (const [name, folder] of Object.entries(folders)) {
    for (const concurrency of options.concurrency) {
      await importOnce(folder, concurrency, work); // warm the page cache and sharp's first-use set-up
      const runs = [];
      for (let r = 0; r < options.repeats; r++) runs.push(await importOnce(folder, concurrency, work));
      const seconds = median(runs.map((r) => r.seconds));
      const cpuMsPerImage = median(runs.map((r) => r.cpuMsPerImage));
      results.push({
        folder: name,
        images: runs[0].images,
        concurrency,
        imagesPerSecond: round(runs[0].images / seconds),
        seconds: round(seconds, 3),
        cpuMsPerImage: round(cpuMsPerImage, 2),
        imagesPerSecondOnIdleCores: round((os.availableParallelism() * 1000) / cpuMsPerImage),
        loadAverage: round(os.loadavg()[0], 2),
        phasesMs: runs.find((r) => r.seconds === seconds)!.phasesMs,
      });
    }
  }
  const thumbnails = await thumbnailEffort(sample);
  const stepsDir = fs.mkdtempSync(path.join(work, 'steps-'));
  const stepsDb = openCatalog(path.join(stepsDir, 'catalog.sqlite'));
  await stepCosts(synthetic, stepsDb); // warm-up
  const steps = await stepCosts(synthetic, stepsDb);
  stepsDb.close();
  console.log(
    JSON.stringify(
      {
        benchmark: 'import paired folder',
        repeats: options.repeats,
        thumbnailEffort: thumbnails,
        stepsPerImage: steps,
        machine: { loadAverageBefore: loadBefore.map((x) => round(x, 2)), loadAverageAfter: os.loadavg().map((x) => round(x, 2)), cores: os.cpus().length, node: process.version },
        results,
      },
      null,
      2,
    ),
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
