import type { Db } from './open-catalog.ts';
import type { FeedbackMark, FeedbackVerdict } from '../../src-shared/query-types.ts';

/** Stores (or with verdict null, clears) a user's mark on one query result. Marking again replaces the mark. */
export function markFeedback(db: Db, mark: Omit<FeedbackMark, 'verdict'> & { verdict: FeedbackVerdict | null }): void {
  if (!/^[0-9a-f]{64}$/.test(mark.querySha256)) throw Object.assign(new Error('querySha256 must be a SHA-256 hex digest'), { code: 'BAD_FEEDBACK' });
  if (!db.prepare('SELECT 1 FROM images WHERE id = ?').get(mark.resultImageId)) {
    throw Object.assign(new Error(`no catalog image ${mark.resultImageId}`), { code: 'BAD_FEEDBACK' });
  }
  if (mark.verdict === null) {
    db.prepare('DELETE FROM feedback WHERE query_sha256 = ? AND result_image_id = ?').run(mark.querySha256, mark.resultImageId);
    return;
  }
  if (mark.verdict !== 'match' && mark.verdict !== 'not-a-match') throw Object.assign(new Error(`verdict must be match or not-a-match`), { code: 'BAD_FEEDBACK' });
  db.prepare(
    `INSERT INTO feedback (query_sha256, result_image_id, verdict, run_id, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(query_sha256, result_image_id) DO UPDATE SET verdict = excluded.verdict, run_id = excluded.run_id, created_at = excluded.created_at`,
  ).run(mark.querySha256, mark.resultImageId, mark.verdict, mark.runId ?? null, new Date().toISOString());
}

/** The marks on these results of one query, by result image id. */
export function feedbackFor(db: Db, querySha256: string, imageIds: number[]): Map<number, FeedbackVerdict> {
  if (!imageIds.length) return new Map();
  const rows = db
    .prepare(`SELECT result_image_id AS id, verdict FROM feedback WHERE query_sha256 = ? AND result_image_id IN (${imageIds.map(() => '?').join(',')})`)
    .all(querySha256, ...imageIds) as Array<{ id: number; verdict: FeedbackVerdict }>;
  return new Map(rows.map((r) => [r.id, r.verdict]));
}

/** What training takes from the marks, in the trainer's pair indices. */
export interface TrainingFeedback {
  /** Anchor pair → pairs marked "not a match" for it: used as its hard negatives. */
  extraNegatives: Map<number, number[]>;
  /** Anchor pair → pairs marked "match": never used as its negatives. */
  knownMatches: Map<number, number[]>;
  /** Image couples marked "match" that are not already a pair: trained as extra (left, right) pairs. */
  extraPositives: Array<{ leftImageId: number; rightImageId: number }>;
}

/**
 * Maps the marks onto a dataset's pairs. A mark counts when its query image is an image of one of the dataset's
 * pairs (the anchor) and its result is an image of another pair of the dataset.
 * @param pairIndexOfImage image id → index of the pair it belongs to, in the trainer's order.
 */
export function trainingFeedback(db: Db, pairIndexOfImage: Map<number, number>): TrainingFeedback {
  const rows = db
    .prepare(`SELECT i.id AS queryImageId, f.result_image_id AS resultImageId, f.verdict FROM feedback f JOIN images i ON i.sha256 = f.query_sha256`)
    .all() as Array<{ queryImageId: number; resultImageId: number; verdict: FeedbackVerdict }>;
  const out: TrainingFeedback = { extraNegatives: new Map(), knownMatches: new Map(), extraPositives: [] };
  const add = (m: Map<number, number[]>, k: number, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const r of rows) {
    const anchor = pairIndexOfImage.get(r.queryImageId);
    const other = pairIndexOfImage.get(r.resultImageId);
    if (anchor === undefined || other === undefined) continue;
    if (r.verdict === 'not-a-match') {
      if (anchor !== other) add(out.extraNegatives, anchor, other);
    } else if (anchor !== other) {
      add(out.knownMatches, anchor, other);
      add(out.knownMatches, other, anchor);
      out.extraPositives.push({ leftImageId: r.queryImageId, rightImageId: r.resultImageId });
    }
  }
  return out;
}
