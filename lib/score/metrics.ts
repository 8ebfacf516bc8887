import type { LabelImage } from '../image/types.js';
import { labelOverlap, type LabelOverlap } from '../kernels/overlap.js';
import { NucsegError } from '../util/errors.js';
import { matchAtThresholds, splitsAndMerges, type MatchingRule, type ThresholdMatch } from './match.js';

/** 0.50, 0.55, …, 0.95, each computed as (50 + 5k) / 100 so 0.6 is exactly the double 0.6. */
export const DEFAULT_THRESHOLDS: readonly number[] = Object.freeze(Array.from({ length: 10 }, (_, k) => (50 + 5 * k) / 100));

/** IoU at and above which a GT label matched by 2+ predictions is a split (and vice versa a merge). */
export const SPLIT_MERGE_IOU = 0.1;

export interface ScoreOptions {
  /** IoU thresholds (default 0.50:0.05:0.95). */
  thresholds?: readonly number[];
  /** See MatchingRule. Default 'paper'. */
  matching?: MatchingRule;
  /** Threads for the overlap pass (default: all cores). */
  threads?: number;
}

/**
 * Counts and metrics at each threshold — arrays with one value per entry of `thresholds`.
 * This shape is the public contract of `score()` and of `nucseg score --json`.
 */
export interface ThresholdMetrics {
  thresholds: number[];
  tp: number[];
  fp: number[];
  fn: number[];
  /** 2TP / (2TP + FP + FN). */
  f1: number[];
  /** TP / (TP + FP). */
  precision: number[];
  /** TP / (TP + FN). */
  recall: number[];
  /** The Data Science Bowl "accuracy": TP / (TP + FP + FN). */
  accuracy: number[];
  /** Mean IoU of the matched pairs (0 when nothing matched). */
  meanMatchedIoU: number[];
  /** Panoptic quality: sum of matched IoU / (TP + FP/2 + FN/2). */
  pq: number[];
}

/** Scores of one image (or of a pooled set). */
export interface ScoreResult extends ThresholdMetrics {
  nGt: number;
  nPred: number;
  /** GT labels overlapped by 2+ predictions at IoU >= 0.1. */
  splits: number;
  /** Predictions overlapping 2+ GT labels at IoU >= 0.1. */
  merges: number;
  /** 100 · splits / nGt. */
  splitsPct: number;
  /** 100 · merges / nPred. */
  mergesPct: number;
}

function ratio(a: number, b: number, empty: number): number {
  return b === 0 ? empty : a / b;
}

/**
 * Builds the per-threshold metrics from raw counts. When an image has neither GT nor
 * predicted labels, precision, recall, F1, accuracy and PQ are 1 (nothing to find and
 * nothing found); an empty prediction against a non-empty GT scores 0.
 *
 * @example
 * ```ts
 * import { metricsFromCounts } from 'nucseg';
 * const m = metricsFromCounts([0.5], [{ tp: 8, fp: 1, fn: 2, iouSum: 6.4 }]);
 * // m.f1[0] = 16/19, m.precision[0] = 8/9, m.recall[0] = 0.8, m.accuracy[0] = 8/11, m.pq[0] = 6.4/9.5
 * ```
 */
export function metricsFromCounts(thresholds: readonly number[], counts: readonly ThresholdMatch[]): ThresholdMetrics {
  const m: ThresholdMetrics = { thresholds: [...thresholds], tp: [], fp: [], fn: [], f1: [], precision: [], recall: [], accuracy: [], meanMatchedIoU: [], pq: [] };
  for (const { tp, fp, fn, iouSum } of counts) {
    const none = tp + fp + fn === 0;
    m.tp.push(tp);
    m.fp.push(fp);
    m.fn.push(fn);
    m.f1.push(none ? 1 : (2 * tp) / (2 * tp + fp + fn));
    m.precision.push(ratio(tp, tp + fp, none ? 1 : 0));
    m.recall.push(ratio(tp, tp + fn, none ? 1 : 0));
    m.accuracy.push(none ? 1 : tp / (tp + fp + fn));
    m.meanMatchedIoU.push(ratio(iouSum, tp, 0));
    m.pq.push(none ? 1 : iouSum / (tp + fp / 2 + fn / 2));
  }
  return m;
}

/**
 * Scores an overlap table already computed (see labelOverlap).
 *
 * @example
 * ```ts
 * import { labelOverlap, readLabels, scoreOverlap } from 'nucseg';
 * const ov = labelOverlap(await readLabels('examples/gt/dsb-4bf6a5ec.tif'), await readLabels('examples/pred/dsb-4bf6a5ec.labels.tif'));
 * const r = scoreOverlap(ov, { thresholds: [0.5, 0.7] }); // score() from a table already made; r.counts: raw counts
 * ```
 */
export function scoreOverlap(ov: LabelOverlap, opts: ScoreOptions = {}): ScoreResult & { counts: ThresholdMatch[] } {
  const thresholds = checkThresholds(opts.thresholds ?? DEFAULT_THRESHOLDS);
  const counts = matchAtThresholds(ov, thresholds, opts.matching ?? 'paper');
  const { splits, merges } = splitsAndMerges(ov, SPLIT_MERGE_IOU);
  return { ...resultFromCounts(thresholds, counts, ov.gtIds.length, ov.predIds.length, splits, merges), counts };
}

/** A ScoreResult from raw per-threshold counts and the label/split/merge totals. */
function resultFromCounts(thresholds: readonly number[], counts: readonly ThresholdMatch[], nGt: number, nPred: number, splits: number, merges: number): ScoreResult {
  return {
    ...metricsFromCounts(thresholds, counts),
    nGt,
    nPred,
    splits,
    merges,
    splitsPct: ratio(100 * splits, nGt, 0),
    mergesPct: ratio(100 * merges, nPred, 0),
  };
}

/**
 * Scores a predicted label image against ground truth: TP/FP/FN, F1, precision, recall,
 * DSB accuracy, mean matched IoU and panoptic quality at each IoU threshold, plus split
 * and merge counts. Labels are any uint16/uint32 ids (0 = background); images must be the
 * same size. IoUs are compared with thresholds in double precision. See MatchingRule.
 *
 * @example
 * ```ts
 * import { readLabels, score } from 'nucseg';
 * const gt = await readLabels('examples/gt/dsb-4bf6a5ec.tif');
 * const pred = await readLabels('examples/pred/dsb-4bf6a5ec.labels.tif');
 * const r = score(gt, pred, { thresholds: [0.5, 0.7, 0.9] });
 * console.log(r.f1, r.nGt, r.nPred, r.splits, r.merges); // F1 at each threshold, then counts
 * ```
 */
export function score(gt: LabelImage, pred: LabelImage, opts: ScoreOptions = {}): ScoreResult {
  const { counts: _counts, ...result } = scoreOverlap(labelOverlap(gt, pred, { threads: opts.threads }), opts);
  return result;
}

export function checkThresholds(ts: readonly number[]): number[] {
  if (ts.length === 0) throw new NucsegError('no IoU thresholds given');
  for (const t of ts) if (!(Number.isFinite(t) && t > 0 && t <= 1)) throw new NucsegError(`IoU threshold ${t} is not in (0, 1]`);
  return [...ts];
}

/** Per-image results plus the two set-level summaries. */
export interface SetScore {
  /** Sums of TP/FP/FN (and IoU) over all images, then the metrics: every nucleus weighs the same. */
  pooled: ScoreResult & { nImages: number };
  /** Per-image metrics averaged over images: every image weighs the same. */
  mean: Omit<ThresholdMetrics, 'tp' | 'fp' | 'fn'> & { splitsPct: number; mergesPct: number; nImages: number };
}

/**
 * Pools and averages per-image results (each with its raw counts).
 *
 * @example
 * ```ts
 * import { labelOverlap, readLabels, scoreOverlap, summarizeSet } from 'nucseg';
 * const thresholds = [0.5, 0.7];
 * const images = await Promise.all(['4bf6a5ec', 'c53326fe'].map(async (id) => {
 *   const ov = labelOverlap(await readLabels(`examples/gt/dsb-${id}.tif`), await readLabels(`examples/pred/dsb-${id}.labels.tif`));
 *   return scoreOverlap(ov, { thresholds });
 * }));
 * const { pooled, mean } = summarizeSet(thresholds, images); // pooled.f1: every nucleus weighs the same; mean.f1: every image
 * ```
 */
export function summarizeSet(thresholds: readonly number[], images: readonly (ScoreResult & { counts: ThresholdMatch[] })[]): SetScore {
  const ts = [...thresholds];
  const pooledCounts: ThresholdMatch[] = ts.map((_, i) => {
    const c = { tp: 0, fp: 0, fn: 0, iouSum: 0 };
    for (const im of images) {
      c.tp += im.counts[i].tp;
      c.fp += im.counts[i].fp;
      c.fn += im.counts[i].fn;
      c.iouSum += im.counts[i].iouSum;
    }
    return c;
  });
  const sum = (f: (r: ScoreResult) => number) => images.reduce((a, r) => a + f(r), 0);
  const pooled = {
    ...resultFromCounts(ts, pooledCounts, sum((r) => r.nGt), sum((r) => r.nPred), sum((r) => r.splits), sum((r) => r.merges)),
    nImages: images.length,
  };
  const n = images.length;
  const avg = (key: keyof ThresholdMetrics) => ts.map((_, i) => (n ? images.reduce((a, r) => a + (r[key] as number[])[i], 0) / n : 0));
  const mean = {
    thresholds: ts,
    f1: avg('f1'),
    precision: avg('precision'),
    recall: avg('recall'),
    accuracy: avg('accuracy'),
    meanMatchedIoU: avg('meanMatchedIoU'),
    pq: avg('pq'),
    splitsPct: n ? sum((r) => r.splitsPct) / n : 0,
    mergesPct: n ? sum((r) => r.mergesPct) / n : 0,
    nImages: n,
  };
  return { pooled, mean };
}
