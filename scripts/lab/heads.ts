/**
 * Lab step 2: heads trained on cached recipe features (scripts/lab/extract.ts), scored on a val split carved
 * out of the train folder (selection) and on the test folder (report). Seconds per configuration.
 *   npx tsx scripts/lab/heads.ts --recipe mid-multi-gem-polarity
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { fitLearnedWhitening } from '../../src-main/ml/learned-whitening.ts';
import { initBackend } from '../../src-main/ml/backend.ts';
import { scorePairedSets } from '../../src-main/ml/metrics/score-paired-sets.ts';
import { calibrateOpenSet, openSetRates } from '../../src-main/ml/metrics/open-set-calibration.ts';

const { values } = parseArgs({ options: { recipe: { type: 'string', default: 'mid-multi-gem-polarity' }, dir: { type: 'string', default: '/tmp/head-lab' }, sets: { type: 'string', default: 'brands,icons' }, only: { type: 'string' }, aug: { type: 'string' }, 'aug-count': { type: 'string', default: '2' }, seeds: { type: 'string', default: '1' } } });
await initBackend();

interface SetData { trainL: Float32Array[]; trainR: Float32Array[]; valL: Float32Array[]; valR: Float32Array[]; testL: Float32Array[]; testR: Float32Array[]; dim: number }
async function load(set: string): Promise<SetData> {
  const base = path.join(values.dir, `${set}-${values.recipe}`);
  const { files, dim } = JSON.parse(await readFile(`${base}.json`, 'utf8')) as { files: string[]; dim: number };
  const buf = await readFile(`${base}.f32`);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const row = (i: number) => all.slice(i * dim, (i + 1) * dim);
  const by = new Map(files.map((f, i) => [f, i]));
  let augRows: Map<string, Float32Array> | undefined;
  for (const style of (values.aug ?? '').split(',').filter(Boolean)) {
    const ab = path.join(values.dir, `${set}-${values.recipe}-aug-${style}`);
    const { names } = JSON.parse(await readFile(`${ab}.json`, 'utf8')) as { names: string[] };
    const b2 = await readFile(`${ab}.f32`); const a2 = new Float32Array(b2.buffer, b2.byteOffset, b2.byteLength / 4);
    augRows ??= new Map();
    names.forEach((n, i) => augRows!.set(style === 'classic' && values.aug!.includes(',') ? n.replace(/#(\d+)$/, (_, k) => `#${Number(k) + 2}`) : n, a2.slice(i * dim, (i + 1) * dim)));
  }
  const d: SetData = { trainL: [], trainR: [], valL: [], valR: [], testL: [], testR: [], dim };
  for (const f of files) {
    const [split, side, name] = f.split('/');
    if (side !== 'left') continue;
    const l = row(by.get(f)!), r = row(by.get(`${split}/right/${name}`)!);
    const isVal = split === 'train' && createHash('sha1').update(name).digest()[0] < 51; // ~20 %
    const key = split === 'test' ? 'test' : isVal ? 'val' : 'train';
    d[`${key}L`].push(l); d[`${key}R`].push(r);
    if (key === 'train' && augRows) for (let k = 0; k < Number(values['aug-count']); k++) { const v = augRows.get(`${name}#${k}`); if (v) { d.trainL.push(l); d.trainR.push(v); } }
  }
  return d;
}
const norm = (v: Float32Array) => { let s = 0; for (const x of v) s += x * x; s = Math.sqrt(s) || 1; return v.map((x) => x / s); };
function score(L: Float32Array[], R: Float32Array[], f: (x: Float32Array[]) => Float32Array[]) {
  const g = f(L).map(norm), q = f(R).map(norm);
  const s = scorePairedSets(g.length, (qi, gi) => { let a = 0; const x = q[qi], y = g[gi]; for (let k = 0; k < x.length; k++) a += x[k] * y[k]; return a; });
  return s;
}
function summary(s: ReturnType<typeof scorePairedSets>) { return { r1: +s.scores.recall['1'].toFixed(3), r10: +s.scores.recall['10'].toFixed(3), mrr: +s.scores.mrr.toFixed(3) }; }
/** Open-set scores of val queries against val lefts + distractor lefts (the training logos). */
function openSetDistract(L: Float32Array[], R: Float32Array[], D: Float32Array[], f: Head) {
  const g = f([...L, ...D]).map(norm), q = f(R).map(norm);
  const n = L.length;
  const genuine = new Float64Array(n), impostorBest = new Float64Array(n).fill(-Infinity), firstRanked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const dot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let k = 0; k < a.length; k++) s += a[k] * b[k]; return s; };
    genuine[i] = dot(q[i], g[i]);
    for (let j = 0; j < g.length; j++) if (j !== i) impostorBest[i] = Math.max(impostorBest[i], dot(q[i], g[j]));
    firstRanked[i] = genuine[i] > impostorBest[i] ? 1 : 0;
  }
  return { genuine, impostorBest, firstRanked };
}
function openSet(val: ReturnType<typeof scorePairedSets>, test: ReturnType<typeof scorePairedSets>) {
  const c = calibrateOpenSet(val.openSet, 0.05); const r = openSetRates(test.openSet, c.tau);
  return { tau: +c.tau.toFixed(3), fmr: +r.falseMatchRate.toFixed(3), tmr: +r.trueMatchRate.toFixed(3) };
}

type Head = (x: Float32Array[]) => Float32Array[];
const identity: Head = (x) => x;

function applyMat(W: Float32Array, d: number, k: number, mean?: Float32Array): Head {
  return (xs) => xs.map((x) => { const o = new Float32Array(k); for (let i = 0; i < d; i++) { const xi = x[i] - (mean ? mean[i] : 0); if (!xi) continue; for (let j = 0; j < k; j++) o[j] += xi * W[i * k + j]; } return o; });
}

/** Radenović et al. 2018 learned whitening: C_S from matching-pair differences, then PCA of the whitened data. */
let lastLw: { W: Float32Array; mean: Float32Array } | undefined;
function learnedWhitening(L: Float32Array[], R: Float32Array[], d: number, shrink: number, dims: number): Head {
  tf.engine().startScope(); try {
    // (returns a plain function: tidy only disposes the tensors made inside)
    const l = tf.tensor2d(L.map(norm).flatMap((x) => [...x]), [L.length, d]);
    const r = tf.tensor2d(R.map(norm).flatMap((x) => [...x]), [R.length, d]);
    const all = tf.concat([l, r]);
    const mean = tf.mean(all, 0);
    const diff = tf.sub(l, r);
    let cs = tf.div(tf.matMul(diff, diff, true, false), L.length);
    const tr = tf.div(tf.sum(tf.mul(tf.eye(d), cs)), d);
    cs = tf.add(tf.mul(cs, 1 - shrink), tf.mul(tf.eye(d), tf.mul(tr, shrink)));
    const [e, V] = eigh(cs.arraySync() as number[][]);
    const P = V.map((row) => row.map((v, j) => v / Math.sqrt(Math.max(e[j], 1e-9)))); // d×d: x·P whitens C_S
    const Pt = tf.tensor2d(P);
    const xc = tf.matMul(tf.sub(all, mean), Pt);
    const cd = tf.div(tf.matMul(xc, xc, true, false), all.shape[0]);
    const [e2, V2] = eigh(cd.arraySync() as number[][]);
    const order = e2.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, dims).map((x) => x[1]);
    const V2k = tf.tensor2d(V2.map((row) => order.map((j) => row[j])));
    const W = tf.matMul(Pt, V2k);
    lastLw = { W: W.dataSync() as Float32Array, mean: mean.dataSync() as Float32Array };
    return applyMat(lastLw.W, d, dims, lastLw.mean);
  } finally { tf.engine().endScope(); }
}

/** PCA to r dims via the Gram matrix (n ≪ d), then learned whitening in that space. */
function pcaLw(L: Float32Array[], R: Float32Array[], d: number, r: number, shrink: number, dims: number): Head {
  const X = [...L, ...R].map(norm);
  const n = X.length; const mean = new Float32Array(d); for (const x of X) for (let i = 0; i < d; i++) mean[i] += x[i] / n;
  const P = tf.tidy(() => {
    const Xt = tf.sub(tf.tensor2d(X.flatMap((x) => [...x]), [n, d]), tf.tensor1d(mean));
    const G = tf.matMul(Xt, Xt, false, true);
    const [e, U] = eigh(G.arraySync() as number[][]);
    const order = e.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, r).map((x) => x[1]);
    const Ur = tf.tensor2d(U.map((row) => order.map((j) => row[j] / Math.sqrt(Math.max(e[j], 1e-9)))));
    return tf.matMul(Xt, Ur, true, false).dataSync() as Float32Array; // d×r orthonormal basis
  });
  const project = applyMat(P, d, r, mean);
  const lw = learnedWhitening(project(L.map(norm)), project(R.map(norm)), r, shrink, dims);
  return (xs) => lw(project(xs.map(norm)));
}

/** Jacobi eigen-decomposition of a symmetric matrix: [eigenvalues, eigenvectors as columns]. */
function eigh(A: number[][]): [number[], number[][]] {
  const n = A.length; const a = A.map((r) => Float64Array.from(r)); const v = Array.from({ length: n }, (_, i) => { const r = new Float64Array(n); r[i] = 1; return r; });
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0; for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      if (Math.abs(a[p][q]) < 1e-15) continue;
      const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) { const akp = a[k][p], akq = a[k][q]; a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq; }
      for (let k = 0; k < n; k++) { const apk = a[p][k], aqk = a[q][k]; a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk; }
      for (let k = 0; k < n; k++) { const vkp = v[k][p], vkq = v[k][q]; v[k][p] = c * vkp - s * vkq; v[k][q] = s * vkp + c * vkq; }
    }
  }
  return [a.map((r, i) => r[i]), v.map((r) => [...r])];
}

/** Linear (or residual MLP) head trained with symmetric InfoNCE over in-batch pairs. */
function trainContrastive(L: Float32Array[], R: Float32Array[], d: number, o: { k: number; tau: number; lr: number; epochs: number; batch: number; wd: number; kind: 'linear' | 'residual'; seed: number; loss?: 'nce' | 'triplet'; init?: { W: Float32Array; mean: Float32Array } }): Head {
  const rnd = mulberry(o.seed);
  let init: Float32Array = new Float32Array(d * o.k); for (let i = 0; i < Math.min(d, o.k); i++) init[i * o.k + i] = 1;
  if (o.init) init = o.init.W;
  const mu = tf.tensor1d(o.init ? o.init.mean : new Float32Array(d));
  const W = tf.variable(tf.tensor2d(init, [d, o.k]));
  const W0 = tf.tensor2d(init, [d, o.k]);
  const H = o.kind === 'residual' ? tf.variable(tf.randomNormal([d, 512], 0, Math.sqrt(2 / d), 'float32', o.seed)) : null;
  const H2 = o.kind === 'residual' ? tf.variable(tf.zeros([512, o.k])) : null;
  const opt = tf.train.adam(o.lr);
  const Lt = tf.tensor2d(L.map(norm).flatMap((x) => [...x]), [L.length, d]);
  const Rt = tf.tensor2d(R.map(norm).flatMap((x) => [...x]), [R.length, d]);
  const embed = (x: tf.Tensor2D) => { let y = tf.matMul(tf.sub(x, mu), W); if (H && H2) y = tf.add(y, tf.matMul(tf.relu(tf.matMul(x, H)), H2)); return tf.div(y, tf.norm(y, 2, 1, true)); };
  const n = L.length;
  for (let ep = 0; ep < o.epochs; ep++) {
    const order = Array.from({ length: n }, (_, i) => i).sort(() => rnd() - 0.5);
    for (let b = 0; b + 2 <= n; b += o.batch) {
      const idx = tf.tensor1d(order.slice(b, b + o.batch), 'int32');
      opt.minimize(() => tf.tidy(() => {
        const a = embed(tf.gather(Lt, idx) as tf.Tensor2D), p = embed(tf.gather(Rt, idx) as tf.Tensor2D);
        const logits = tf.div(tf.matMul(a, p, false, true), o.tau);
        const m = logits.shape[0]; const labels = tf.oneHot(tf.range(0, m, 1, 'int32'), m);
        let loss: tf.Tensor;
        if (o.loss === 'triplet') {
          const sim = tf.matMul(a, p, false, true); const pos = tf.sum(tf.mul(sim, labels), 1);
          const hardest = tf.max(tf.sub(sim, tf.mul(labels, 10)), 1);
          loss = tf.mul(2, tf.mean(tf.relu(tf.add(tf.sub(hardest, pos), 0.5))));
        } else loss = tf.add(tf.losses.softmaxCrossEntropy(labels, logits), tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits)));
        const reg = tf.mul(o.wd, tf.sum(tf.square(tf.sub(W, W0))));
        return tf.add(tf.div(loss, 2), reg) as tf.Scalar;
      }));
      idx.dispose();
    }
  }
  return (xs) => tf.tidy(() => { const y = embed(tf.tensor2d(xs.map(norm).flatMap((x) => [...x]), [xs.length, d])); const data = y.dataSync() as Float32Array; return xs.map((_, i) => data.slice(i * o.k, (i + 1) * o.k)); });
}
function mulberry(a: number) { return () => { a |= 0; a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }; }

const results: Record<string, unknown>[] = [];
for (const set of values.sets.split(',')) {
  const d = await load(set);
  const configs: [string, () => Head][] = [
    ['untrained', () => identity],
    ...[0.1, 0.3].flatMap((s) => [128, 256].map((k): [string, () => Head] => [`lw shrink=${s} k=${k}`, () => learnedWhitening(d.trainL, d.trainR, d.dim, s, Math.min(k, d.dim))])),
    ...[0.05, 0.1].flatMap((tau) => [30, 60].map((ep): [string, () => Head] => [`linear nce tau=${tau} ep=${ep}`, () => trainContrastive(d.trainL, d.trainR, d.dim, { k: d.dim, tau, lr: 1e-3, epochs: ep, batch: 64, wd: 0, kind: 'linear', seed: 1 })])),
    ...[0.05, 0.1].flatMap((tau) => [0, 1e-3].map((wd): [string, () => Head] => [`lw0.3k128+nce tau=${tau} wd=${wd}`, () => { learnedWhitening(d.trainL, d.trainR, d.dim, 0.3, 128); const sc = lastLw!; return trainContrastive(d.trainL, d.trainR, d.dim, { k: 128, tau, lr: 3e-4, epochs: 30, batch: 64, wd, kind: 'linear', seed: 1, init: sc }); }])),
    ...[0.2, 0.5].map((s): [string, () => Head] => [`lw shrink=${s} k=64`, () => learnedWhitening(d.trainL, d.trainR, d.dim, s, 64)]),
    ...[128, 256].flatMap((r) => [0.1, 0.3].map((sh): [string, () => Head] => [`pcalw r=${r} s=${sh} k=128`, () => pcaLw(d.trainL, d.trainR, d.dim, r, sh, 128)])),
    ...[0.5, 0.7, 0.85].map((a): [string, () => Head] => [`blend a=${a} lw0.1k256`, () => { const lw = learnedWhitening(d.trainL, d.trainR, d.dim, 0.1, 256); return (xs) => { const w = lw(xs).map(norm), r = xs.map(norm); return xs.map((_, i) => { const o = new Float32Array(w[i].length + r[i].length); w[i].forEach((v, j) => { o[j] = v * Math.sqrt(a); }); r[i].forEach((v, j) => { o[w[i].length + j] = v * Math.sqrt(1 - a); }); return o; }); }; }]),
    ...[0.02, 0.05].map((sh): [string, () => Head] => [`lw shrink=${sh} k=416`, () => learnedWhitening(d.trainL, d.trainR, d.dim, sh, d.dim)]),
    ...[1e-4, 1e-3].map((lr): [string, () => Head] => [`lw0.1k256+triplet lr=${lr}`, () => { learnedWhitening(d.trainL, d.trainR, d.dim, 0.1, 256); return trainContrastive(d.trainL, d.trainR, d.dim, { k: 256, tau: 1, lr, epochs: 30, batch: 32, wd: 0, kind: 'linear', seed: 1, init: lastLw!, loss: 'triplet' }); }]),
    ...[1e-3].map((lr): [string, () => Head] => [`lw0.1k256+nce lr=${lr}`, () => { learnedWhitening(d.trainL, d.trainR, d.dim, 0.1, 256); return trainContrastive(d.trainL, d.trainR, d.dim, { k: 256, tau: 0.05, lr, epochs: 30, batch: 64, wd: 0, kind: 'linear', seed: 1, init: lastLw! }); }]),
    ['app-lw', () => { const flat = (xs: Float32Array[]) => { const o = new Float32Array(xs.length * d.dim); xs.forEach((x, i) => o.set(x, i * d.dim)); return o; }; const w = fitLearnedWhitening(flat(d.trainL), flat(d.trainR), { dim: d.dim, outputDims: 256 }); return (xs) => applyMat(w.kernel, d.dim, 256)(xs.map(norm)).map((v) => v.map((x, j) => x + w.bias[j])); }],
    ['residual nce tau=0.05 ep=60', () => trainContrastive(d.trainL, d.trainR, d.dim, { k: d.dim, tau: 0.05, lr: 1e-3, epochs: 60, batch: 64, wd: 0, kind: 'residual', seed: 1 })],
  ];
  for (const [name, make] of configs) {
    if (values.only && !name.includes(values.only)) continue;
    const t0 = performance.now();
    const head = make();
    const r = { set, head: name, seconds: +((performance.now() - t0) / 1000).toFixed(1), ...(() => { const v = score(d.valL, d.valR, head), t = score(d.testL, d.testR, head); const cal = calibrateOpenSet(openSetDistract(d.valL, d.valR, d.trainL.filter((x, i) => d.trainL.indexOf(x) === i), head), 0.05); const rr = openSetRates(t.openSet, cal.tau); return { val: summary(v), test: summary(t), open: openSet(v, t), openDistract: { tau: +cal.tau.toFixed(3), fmr: +rr.falseMatchRate.toFixed(3), tmr: +rr.trueMatchRate.toFixed(3) } }; })(), n: [d.trainL.length, d.valL.length, d.testL.length] };
    results.push(r);
    console.log(JSON.stringify(r));
  }
}
