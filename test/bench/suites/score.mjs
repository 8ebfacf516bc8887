// Scoring: the native overlap pass + matching, on the shared 2048² and 4096² mosaics.
import { join } from 'node:path';
import { labelOverlap, readLabels, score } from '../../../dist/lib/index.js';
import { peer, time } from '../harness.mjs';

export const ops = ['score', 'floor'];

export async function run({ inputs, peers, quick }) {
  const rows = [];
  const sets = quick ? ['real2048', 'synth2048'] : ['real2048', 'synth2048', 'synth4096'];
  for (const set of sets) {
    const gt = await readLabels(join(inputs, `${set}_gt.tif`));
    const pred = await readLabels(join(inputs, `${set}_pred.tif`));
    const input = `${set}_gt+pred`;
    const ours1 = time(() => score(gt, pred, { threads: 1 }));
    const oursN = time(() => score(gt, pred, { threads: 0 }));
    const ov1 = time(() => labelOverlap(gt, pred, { threads: 1 }));
    const ovN = time(() => labelOverlap(gt, pred, { threads: 0 }));
    const dense = peer(peers, 'score', input, (p) => p.includes('dense'));
    const sparse = peer(peers, 'score', input, (p) => p.includes('rle+sort'));
    const cpp = peer(peers, 'score', input, (p) => p.startsWith('cpp_rle_hash'));
    const floor = peer(peers, `floor_sum_gt+pred`, input, (p) => p === 'cpp_floor');
    rows.push({ kernel: 'score (overlap + F1 at 10 t + splits/merges)', input, ours1: ours1.median_ms, oursN: oursN.median_ms, peer: dense, goal: '>= 20x faster than dense NumPy (1 thread)', pass: dense ? dense.median_ms / ours1.median_ms >= 20 : undefined });
    rows.push({ kernel: 'score', input, ours1: ours1.median_ms, oursN: oursN.median_ms, peer: sparse });
    rows.push({ kernel: 'score', input, ours1: ours1.median_ms, oursN: oursN.median_ms, peer: cpp });
    rows.push({ kernel: 'labelOverlap (one pass)', input, ours1: ov1.median_ms, oursN: ovN.median_ms, peer: floor, goal: '<= 3x one memory pass', pass: floor ? ovN.median_ms / floor.median_ms <= 3 : undefined });
  }
  // The matching's worst cases (issue 12): every label in one connected component of the
  // overlap graph. A chain of 4,000 labels per side, each overlapping two of the other side
  // (IoU >= 0.2), scored at IoU 0.1 and 0.5; and a 2000 x 2000 rows-vs-columns grid (every
  // pair overlaps) at 0.0001. No peer: the point is that they finish (were > 365 s and 20 s).
  const n = 4000, ends = [0];
  for (let i = 0; i < n; i++) ends.push(ends[i] + 4 + (i % 3));
  const cg = new Uint16Array(ends[n]), cp = new Uint16Array(ends[n]);
  for (let i = 0; i < n; i++) {
    cg.fill(i + 1, ends[i], ends[i + 1]);
    cp.fill(i + 1, i === 0 ? 0 : (ends[i - 1] + ends[i]) >> 1, (ends[i] + ends[i + 1]) >> 1);
  }
  cp.fill(n, (ends[n - 1] + ends[n]) >> 1);
  const chainT = time(() => score({ data: cg, width: ends[n], height: 1 }, { data: cp, width: ends[n], height: 1 }, { thresholds: [0.1, 0.5], matching: 'optimal' }), { runs: 3 });
  rows.push({ kernel: 'score worst case: 4,000-label chain, optimal matching at IoU 0.1 and 0.5', input: 'synthetic chain', ours1: chainT.median_ms, oursN: chainT.median_ms });
  const G = 2000, gg = new Uint16Array(G * G), gp = new Uint16Array(G * G);
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
    gg[y * G + x] = y + 1;
    gp[y * G + x] = x + 1;
  }
  const gridT = time(() => score({ data: gg, width: G, height: G }, { data: gp, width: G, height: G }, { thresholds: [0.0001], matching: 'optimal' }), { runs: 3 });
  rows.push({ kernel: 'score worst case: 2000 x 2000 rows-vs-columns grid, optimal matching at IoU 0.0001', input: 'synthetic grid', ours1: gridT.median_ms, oursN: gridT.median_ms });
  return rows;
}
