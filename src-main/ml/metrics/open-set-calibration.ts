/**
 * Open-set calibration: choosing tau so that a query whose true match is NOT in the gallery rarely gets "match".
 *
 * The split's own queries simulate both cases. Mated search: query i against the whole gallery — a true match
 * when its partner ranks first AND scores ≥ tau. Non-mated search: the same query against the gallery without its
 * partner — a false match when its best remaining score is ≥ tau. These are NIST FRVT 1:N's FNIR (true-match rate
 * = 1 − FNIR at rank 1) and FPIR (false-match rate); see src-shared/calibration-policy.ts.
 */
import { EvalError } from './retrieval-metrics.ts';

/** Per query of a split: what the open-set rates are computed from (made by scorePairedSets). */
export interface OpenSetScores {
  /** Similarity of query i to its true match. */
  genuine: Float64Array;
  /** 1 when the true match ranks first (strictly above every other gallery item, as the pessimistic rank counts). */
  firstRanked: Uint8Array;
  /** Query i's best similarity to the gallery without its true match; −∞ when nothing else is in the gallery. */
  impostorBest: Float64Array;
}

/** The two open-set rates at one threshold, over the same queries. */
export interface OpenSetRates {
  falseMatchRate: number;
  trueMatchRate: number;
}

/** A threshold chosen by {@link calibrateOpenSet} and its rates on the scores it was chosen on. */
export interface OpenSetChoice extends OpenSetRates {
  tau: number;
}

function checkScores(s: OpenSetScores): number {
  const n = s.genuine.length;
  if (n === 0) throw new EvalError('EMPTY_INPUT', 'open-set rates need at least one query');
  if (s.firstRanked.length !== n || s.impostorBest.length !== n) throw new EvalError('INVALID_ARGUMENT', 'genuine, firstRanked and impostorBest differ in length');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(s.genuine[i])) throw new EvalError('NON_FINITE', `genuine[${i}] is ${s.genuine[i]}`);
    // −∞ is allowed: a one-image gallery has no impostor at all.
    if (Number.isNaN(s.impostorBest[i]) || s.impostorBest[i] === Infinity) throw new EvalError('NON_FINITE', `impostorBest[${i}] is ${s.impostorBest[i]}`);
  }
  return n;
}

/**
 * False-match and true-match rate of "match = score ≥ tau": how a threshold chosen on val holds on test or on an
 * outside folder.
 * @throws EvalError EMPTY_INPUT without queries, NON_FINITE, INVALID_ARGUMENT for a non-finite tau.
 */
export function openSetRates(s: OpenSetScores, tau: number): OpenSetRates {
  if (Number.isNaN(tau)) throw new EvalError('INVALID_ARGUMENT', 'tau is NaN');
  const n = checkScores(s);
  let falseMatches = 0;
  let trueMatches = 0;
  for (let i = 0; i < n; i++) {
    if (s.impostorBest[i] >= tau) falseMatches++;
    if (s.firstRanked[i] && s.genuine[i] >= tau) trueMatches++;
  }
  return { falseMatchRate: falseMatches / n, trueMatchRate: trueMatches / n };
}

/** The smallest double above x: a threshold that lets nothing scoring exactly x through. */
function nextUp(x: number): number {
  if (x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  if (x === -Infinity) return -Number.MAX_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return new Float64Array(bits.buffer)[0];
}

/**
 * The open-set threshold: the highest true-match rate whose false-match rate stays ≤ `target`.
 *
 * Both rates only fall as tau rises, so the rule is: allow k = ⌊target · n⌋ false matches; tau must lie strictly
 * above the (k+1)-th highest impostor score; of those taus the true-match rate is largest at the lowest, and it
 * only changes at genuine scores — so tau = the lowest first-ranked genuine score above that cut. Any higher tau
 * loses a true match on these scores; any lower one lets one false match too many through. Among the taus with
 * that true-match rate this is the highest, the one that leaves most room for unknown queries.
 * When no first-ranked genuine clears the cut (every impostor outscores the partners), nothing can be a true
 * match within the target: tau sits just above the cut and the true-match rate is 0 — the honest answer.
 * @throws EvalError INVALID_ARGUMENT for a target outside [0, 1), plus those of {@link openSetRates}.
 */
export function calibrateOpenSet(s: OpenSetScores, target: number): OpenSetChoice {
  if (!(target >= 0 && target < 1)) throw new EvalError('INVALID_ARGUMENT', `target false-match rate must be in [0, 1), got ${target}`);
  const n = checkScores(s);
  // 1e-9: target · n is a ratio of small integers that may land one ulp below a whole number (0.05 · 20).
  const allowed = Math.floor(target * n + 1e-9);
  const impostors = Float64Array.from(s.impostorBest).sort().reverse();
  const cut = allowed < n ? impostors[allowed] : -Infinity;
  let tau = Infinity;
  for (let i = 0; i < n; i++) if (s.firstRanked[i] && s.genuine[i] > cut && s.genuine[i] < tau) tau = s.genuine[i];
  if (tau === Infinity) tau = nextUp(cut);
  return { tau, ...openSetRates(s, tau) };
}
