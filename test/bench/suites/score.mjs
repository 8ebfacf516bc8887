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
  return rows;
}
