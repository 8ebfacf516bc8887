import type { SetScoreReport } from './files.js';
import { writeFileAtomic } from '../util/atomic.js';
import { csvCell } from '../util/csv.js';

const pct = (v: number) => v.toFixed(1);
const f3 = (v: number) => v.toFixed(3);

/**
 * A readable plain-text table: per threshold the pooled TP/FP/FN, F1 (pooled and mean over
 * images), precision, recall, accuracy and PQ; then splits and merges; then, when there
 * are several images, each image's F1 at the object-level (0.7) and pixel-level (0.9)
 * thresholds (or the first and last threshold when those are not scored).
 *
 * @example
 * ```ts
 * import { formatScoreTable, scoreFiles } from 'nucseg';
 * console.log(formatScoreTable(await scoreFiles('examples/gt', 'examples/pred'))); // what `nucseg score` prints
 * ```
 */
export function formatScoreTable(r: SetScoreReport): string {
  const p = r.pooled, m = r.mean;
  // thresholds with 2 decimals, more when that would print two of them the same (0.701, 0.704)
  let digits = 2;
  while (digits < 6 && new Set(r.thresholds.map((t) => t.toFixed(digits))).size < r.thresholds.length) digits++;
  const tl = (t: number) => t.toFixed(digits);
  const lines: string[] = [];
  lines.push(`nucseg score: ${p.nImages} image(s), ${p.nGt} ground-truth and ${p.nPred} predicted nuclei`);
  lines.push('');
  const head = ['IoU t', 'TP', 'FP', 'FN', 'F1 pooled', 'F1 mean', 'precision', 'recall', 'accuracy', 'PQ'];
  const rows = r.thresholds.map((t, i) => [tl(t), String(p.tp[i]), String(p.fp[i]), String(p.fn[i]), f3(p.f1[i]), f3(m.f1[i]), f3(p.precision[i]), f3(p.recall[i]), f3(p.accuracy[i]), f3(p.pq[i])]);
  lines.push(...alignTable(head, rows));
  lines.push('');
  lines.push(`splits (GT label hit by 2+ predictions at IoU >= 0.1): ${p.splits} (${pct(p.splitsPct)} % of GT)`);
  lines.push(`merges (prediction hitting 2+ GT labels at IoU >= 0.1): ${p.merges} (${pct(p.mergesPct)} % of predictions)`);
  lines.push('F1 pooled = from TP/FP/FN summed over images; F1 mean = average of per-image F1.');
  if (r.images.length > 1) {
    const pick = (target: number) => {
      const i = r.thresholds.findIndex((t) => Math.abs(t - target) < 1e-9);
      return i;
    };
    let a = pick(0.7), b = pick(0.9);
    if (a < 0) a = 0;
    if (b < 0) b = r.thresholds.length - 1;
    lines.push('');
    const cols = a === b ? [a] : [a, b]; // one threshold scored: one column
    const ih = ['image', 'GT', 'pred', ...cols.map((c) => `F1@${tl(r.thresholds[c])}`), 'splits', 'merges'];
    const ir = r.images.map((im) => [im.name, String(im.nGt), String(im.nPred), ...cols.map((c) => f3(im.f1[c])), String(im.splits), String(im.merges)]);
    lines.push(...alignTable(ih, ir));
  }
  const unpaired = unpairedNote(r);
  if (unpaired) lines.push('', unpaired);
  return lines.join('\n');
}

/** The line saying how many files had no partner and were not scored; undefined when all were paired. */
export function unpairedNote(r: SetScoreReport): string | undefined {
  const { gt, pred } = r.unpaired;
  return gt.length || pred.length ? `unpaired (not scored): ${gt.length} ground-truth, ${pred.length} prediction file(s)` : undefined;
}

function alignTable(head: string[], rows: string[][]): string[] {
  const w = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const fmt = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ');
  return [fmt(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(fmt)];
}

/**
 * Long-format CSV: one row per (image, threshold), with the set rows first
 * (`image` = "(pooled)" and "(mean)"). Columns: image, gt_file, pred_file, threshold, tp,
 * fp, fn, f1, precision, recall, accuracy, mean_matched_iou, pq, n_gt, n_pred, splits, merges.
 *
 * @example
 * ```ts
 * import { formatScoreCsv, scoreFiles } from 'nucseg';
 * const csv = formatScoreCsv(await scoreFiles('examples/gt', 'examples/pred'));
 * csv.split('\n')[1]; // '(pooled),,,0.5,…' : the set rows come first
 * ```
 */
export function formatScoreCsv(r: SetScoreReport): string {
  const cols = ['image', 'gt_file', 'pred_file', 'threshold', 'tp', 'fp', 'fn', 'f1', 'precision', 'recall', 'accuracy', 'mean_matched_iou', 'pq', 'n_gt', 'n_pred', 'splits', 'merges'];
  const out = [cols.join(',')];
  const p = r.pooled, m = r.mean;
  r.thresholds.forEach((t, i) => out.push(['(pooled)', '', '', t, p.tp[i], p.fp[i], p.fn[i], p.f1[i], p.precision[i], p.recall[i], p.accuracy[i], p.meanMatchedIoU[i], p.pq[i], p.nGt, p.nPred, p.splits, p.merges].map(csvCell).join(',')));
  r.thresholds.forEach((t, i) => out.push(['(mean)', '', '', t, '', '', '', m.f1[i], m.precision[i], m.recall[i], m.accuracy[i], m.meanMatchedIoU[i], m.pq[i], '', '', '', ''].map(csvCell).join(',')));
  for (const im of r.images) {
    r.thresholds.forEach((t, i) =>
      out.push([im.name, im.gt, im.pred, t, im.tp[i], im.fp[i], im.fn[i], im.f1[i], im.precision[i], im.recall[i], im.accuracy[i], im.meanMatchedIoU[i], im.pq[i], im.nGt, im.nPred, im.splits, im.merges].map(csvCell).join(',')),
    );
  }
  return out.join('\n') + '\n';
}

/**
 * Writes the report as JSON (schema nucseg.score/1; see docs/score-json.md).
 *
 * @example
 * ```ts
 * import { scoreFiles, writeScoreJson } from 'nucseg';
 * await writeScoreJson('score.json', await scoreFiles('examples/gt', 'examples/pred'), { note: 'shipped model' }); // extra keys are added
 * ```
 */
export async function writeScoreJson(path: string, r: SetScoreReport, extra: Record<string, unknown> = {}): Promise<void> {
  await writeFileAtomic(path, formatScoreJson(r, extra));
}

/**
 * The report as JSON text (schema nucseg.score/1), what writeScoreJson writes.
 *
 * @example
 * ```ts
 * import { formatScoreJson, scoreFiles } from 'nucseg';
 * JSON.parse(formatScoreJson(await scoreFiles('examples/gt', 'examples/pred'))).pooled.f1; // F1 per threshold
 * ```
 */
export function formatScoreJson(r: SetScoreReport, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...r, ...extra }, null, 2) + '\n';
}

/**
 * Writes formatScoreCsv(r) to `path` (atomically).
 *
 * @example
 * ```ts
 * import { scoreFiles, writeScoreCsv } from 'nucseg';
 * await writeScoreCsv('score.csv', await scoreFiles('examples/gt', 'examples/pred'));
 * ```
 */
export async function writeScoreCsv(path: string, r: SetScoreReport): Promise<void> {
  await writeFileAtomic(path, formatScoreCsv(r));
}
