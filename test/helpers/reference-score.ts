import type { LabelImage } from '../../lib/image/types.js';

/**
 * A slow, obviously correct scorer, independent of the library: dense pixel loops into
 * Maps, the definitions applied literally, and for t < 0.5 a maximum-cardinality bipartite
 * matching by augmenting paths (Kuhn's algorithm).
 */
export function referenceScore(gt: LabelImage, pred: LabelImage, thresholds: number[]) {
  const ga = new Map<number, number>(), pa = new Map<number, number>(), inter = new Map<string, number>();
  for (let i = 0; i < gt.data.length; i++) {
    const g = gt.data[i], p = pred.data[i];
    if (g) ga.set(g, (ga.get(g) ?? 0) + 1);
    if (p) pa.set(p, (pa.get(p) ?? 0) + 1);
    if (g && p) inter.set(`${g},${p}`, (inter.get(`${g},${p}`) ?? 0) + 1);
  }
  const ious: { g: number; p: number; iou: number }[] = [];
  for (const [k, n] of inter) {
    const [g, p] = k.split(',').map(Number);
    ious.push({ g, p, iou: n / (ga.get(g)! + pa.get(p)! - n) });
  }
  const tp: number[] = [], fp: number[] = [], fn: number[] = [];
  for (const t of thresholds) {
    if (t >= 0.5) {
      const gHit = new Set(ious.filter((e) => e.iou >= t).map((e) => e.g));
      const pHit = new Set(ious.filter((e) => e.iou >= t).map((e) => e.p));
      tp.push(gHit.size);
      fn.push(ga.size - gHit.size);
      fp.push(pa.size - pHit.size);
    } else {
      const adj = new Map<number, number[]>();
      for (const e of ious) if (e.iou >= t) adj.set(e.g, [...(adj.get(e.g) ?? []), e.p]);
      const matchP = new Map<number, number>();
      const tryG = (g: number, seen: Set<number>): boolean => {
        for (const p of adj.get(g) ?? []) {
          if (seen.has(p)) continue;
          seen.add(p);
          if (!matchP.has(p) || tryG(matchP.get(p)!, seen)) {
            matchP.set(p, g);
            return true;
          }
        }
        return false;
      };
      let m = 0;
      for (const g of ga.keys()) if (tryG(g, new Set())) m++;
      tp.push(m);
      fn.push(ga.size - m);
      fp.push(pa.size - m);
    }
  }
  const perG = new Map<number, number>(), perP = new Map<number, number>();
  for (const e of ious) if (e.iou >= 0.1) {
    perG.set(e.g, (perG.get(e.g) ?? 0) + 1);
    perP.set(e.p, (perP.get(e.p) ?? 0) + 1);
  }
  const splits = [...perG.values()].filter((c) => c > 1).length;
  const merges = [...perP.values()].filter((c) => c > 1).length;
  return { tp, fp, fn, splits, merges, nGt: ga.size, nPred: pa.size };
}
