import type { LabelOverlap } from '../kernels/overlap.js';
import { sparseMaxWeightMatching } from './hungarian.js';

/**
 * How ground-truth and predicted labels are matched at a threshold t.
 * - 'paper' (default): the seed paper's definitions at t >= 0.5 — TP = GT labels whose
 *   best IoU >= t, FP = predicted labels whose best IoU < t, FN = nGt − TP — and an optimal
 *   one-to-one matching below 0.5, where one label can pass t with several others.
 * - 'optimal': the one-to-one matching at every threshold.
 * The two differ only at exactly t = 0.5, and only when a GT label is covered by two
 * predictions with IoU exactly 0.5 each (each prediction exactly half of it): 'paper' counts
 * 1 TP and 0 FP, 'optimal' 1 TP and 1 FP. For t > 0.5 a label can reach IoU > 0.5 with at
 * most one other label, so both readings are the same one-to-one matching.
 */
export type MatchingRule = 'paper' | 'optimal';

/** Matching counts at one threshold. */
export interface ThresholdMatch {
  tp: number;
  fp: number;
  fn: number;
  /** Sum of the IoUs of the matched pairs (for mean matched IoU and panoptic quality). */
  iouSum: number;
}

/**
 * Matches at each threshold; see MatchingRule for the definitions.
 *
 * @example
 * ```ts
 * import { labelOverlap, matchAtThresholds, readLabels } from 'nucseg';
 * const ov = labelOverlap(await readLabels('examples/gt/dsb-4bf6a5ec.tif'), await readLabels('examples/pred/dsb-4bf6a5ec.labels.tif'));
 * const [at50, at90] = matchAtThresholds(ov, [0.5, 0.9]); // { tp, fp, fn, iouSum } each
 * ```
 */
export function matchAtThresholds(ov: LabelOverlap, thresholds: readonly number[], rule: MatchingRule = 'paper'): ThresholdMatch[] {
  const nGt = ov.gtIds.length, nPred = ov.predIds.length;
  const bestGt = new Float64Array(nGt), bestPred = new Float64Array(nPred);
  for (let k = 0; k < ov.pairIoU.length; k++) {
    const iou = ov.pairIoU[k];
    if (iou > bestGt[ov.pairGt[k]]) bestGt[ov.pairGt[k]] = iou;
    if (iou > bestPred[ov.pairPred[k]]) bestPred[ov.pairPred[k]] = iou;
  }
  return thresholds.map((t) => {
    if (t < 0.5 || rule === 'optimal') return optimalMatch(ov, t);
    let tp = 0, fp = 0, iouSum = 0;
    for (let i = 0; i < nGt; i++) if (bestGt[i] >= t) tp++;
    for (let j = 0; j < nPred; j++) if (bestPred[j] < t) fp++;
    // Matched pairs: each GT label's pairs at >= t. Above 0.5 there is at most one per label.
    for (let k = 0; k < ov.pairIoU.length; k++) if (ov.pairIoU[k] >= t && ov.pairIoU[k] === bestGt[ov.pairGt[k]]) iouSum += ov.pairIoU[k];
    return { tp, fp, fn: nGt - tp, iouSum };
  });
}

/**
 * One-to-one matching that maximizes the number of pairs with IoU >= t and, among those,
 * the summed IoU (as StarDist and Cellpose do). Solved per connected cluster of labels
 * overlapping at >= t, with a sparse solver (no cluster-sized matrix: a chain of thousands
 * of labels is one cluster); clusters with one edge need no solver.
 *
 * @example
 * ```ts
 * import { labelOverlap, optimalMatch } from 'nucseg';
 * // one GT nucleus of 4 px, predicted as two nuclei of 2 px: IoU 0.5 with each
 * const gt = { data: new Uint16Array([1, 1, 1, 1]), width: 4, height: 1 };
 * const pred = { data: new Uint16Array([1, 1, 2, 2]), width: 4, height: 1 };
 * optimalMatch(labelOverlap(gt, pred), 0.5); // { tp: 1, fp: 1, fn: 0, iouSum: 0.5 }
 * ```
 */
export function optimalMatch(ov: LabelOverlap, t: number): ThresholdMatch {
  const nGt = ov.gtIds.length, nPred = ov.predIds.length;
  const edges: number[] = [];
  for (let k = 0; k < ov.pairIoU.length; k++) if (ov.pairIoU[k] >= t && ov.pairIoU[k] > 0) edges.push(k);

  // Union-find over gt nodes [0, nGt) and pred nodes [nGt, nGt + nPred).
  const parent = new Int32Array(nGt + nPred).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const k of edges) {
    const a = find(ov.pairGt[k]), b = find(nGt + ov.pairPred[k]);
    if (a !== b) parent[a] = b;
  }
  const clusters = new Map<number, number[]>();
  for (const k of edges) {
    const r = find(ov.pairGt[k]);
    let c = clusters.get(r);
    if (!c) clusters.set(r, (c = []));
    c.push(k);
  }

  let tp = 0, iouSum = 0;
  for (const ks of clusters.values()) {
    if (ks.length === 1) {
      tp++;
      iouSum += ov.pairIoU[ks[0]];
      continue;
    }
    const gts = [...new Set(ks.map((k) => ov.pairGt[k]))];
    const preds = [...new Set(ks.map((k) => ov.pairPred[k]))];
    const gIndex = new Map(gts.map((v, i) => [v, i])), pIndex = new Map(preds.map((v, i) => [v, i]));
    // Weight 1 + IoU / (2K): the count term dominates (the IoU terms sum to < 1/2).
    const K = Math.min(gts.length, preds.length) + 1;
    const rows = new Int32Array(ks.length), cols = new Int32Array(ks.length), weight = new Float64Array(ks.length);
    ks.forEach((k, e) => {
      rows[e] = gIndex.get(ov.pairGt[k])!;
      cols[e] = pIndex.get(ov.pairPred[k])!;
      weight[e] = 1 + ov.pairIoU[k] / (2 * K);
    });
    // one search per row: the smaller side are the rows
    const transpose = gts.length > preds.length;
    const matched = transpose ? sparseMaxWeightMatching(preds.length, gts.length, cols, rows, weight) : sparseMaxWeightMatching(gts.length, preds.length, rows, cols, weight);
    for (const e of matched) {
      if (e < 0) continue;
      tp++;
      iouSum += ov.pairIoU[ks[e]];
    }
  }
  return { tp, fp: nPred - tp, fn: nGt - tp, iouSum };
}

/**
 * Split and merge counts as the seed paper defines them: a split is a GT label overlapped
 * by more than one predicted label at IoU >= `minIoU` (0.1); a merge is a predicted label
 * overlapped by more than one GT label at IoU >= `minIoU`.
 *
 * @example
 * ```ts
 * import { labelOverlap, splitsAndMerges } from 'nucseg';
 * const gt = { data: new Uint16Array([1, 1, 1, 1]), width: 4, height: 1 };
 * const pred = { data: new Uint16Array([1, 1, 2, 2]), width: 4, height: 1 };
 * splitsAndMerges(labelOverlap(gt, pred)); // { splits: 1, merges: 0 }
 * ```
 */
export function splitsAndMerges(ov: LabelOverlap, minIoU = 0.1): { splits: number; merges: number } {
  const perGt = new Uint32Array(ov.gtIds.length), perPred = new Uint32Array(ov.predIds.length);
  for (let k = 0; k < ov.pairIoU.length; k++) {
    if (ov.pairIoU[k] >= minIoU) {
      perGt[ov.pairGt[k]]++;
      perPred[ov.pairPred[k]]++;
    }
  }
  let splits = 0, merges = 0;
  for (const c of perGt) if (c > 1) splits++;
  for (const c of perPred) if (c > 1) merges++;
  return { splits, merges };
}
