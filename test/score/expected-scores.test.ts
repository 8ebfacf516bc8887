import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLabels } from '../../lib/image/read.js';
import { score } from '../../lib/score/metrics.js';
import { REPO, SHARED } from '../helpers/data.js';

// The shared peer-baseline harness ships reference scores (computed with NumPy) for its
// deterministic inputs: a 2048² mosaic of real DSB labels with a realistic perturbed
// prediction, and synthetic 2048² / 4096² sets. nucseg must reproduce them exactly —
// including the 18 pairs whose IoU is exactly 0.5 and the ties at 0.55–0.85.
const INPUTS = process.env.NUCSEG_BENCH_INPUTS ?? join(REPO, 'bench-inputs');
const expected = JSON.parse(readFileSync(join(SHARED, 'bench', 'expected_scores.json'), 'utf8'));

// (the inputs are made once by test/global-setup.ts)

describe('scores equal the shared NumPy reference (expected_scores.json)', () => {
  for (const set of ['real2048', 'synth2048', 'synth4096']) {
    it(set, async () => {
      const ref = expected[set].scores_gt_vs_pred;
      const gt = await readLabels(join(INPUTS, `${set}_gt.tif`));
      const pred = await readLabels(join(INPUTS, `${set}_pred.tif`));
      const r = score(gt, pred, { thresholds: ref.thresholds });
      expect(r.tp).toEqual(ref.tp);
      expect(r.fp).toEqual(ref.fp);
      expect(r.fn).toEqual(ref.fn);
      expect(r.f1).toEqual(ref.f1);
      expect([r.splits, r.merges, r.nGt, r.nPred]).toEqual([ref.splits, ref.merges, ref.n_gt, ref.n_pred]);
    });
  }
});
