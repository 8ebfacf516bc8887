import { describe, expect, it } from 'vitest';
import type { SetScoreReport } from '../../lib/score/files.js';
import { formatScoreCsv } from '../../lib/score/report.js';

/** Splits one CSV line into fields (RFC 4180 quoting). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

describe('score CSV', () => {
  it('score CSV escapes image and file names', () => {
    const z = [0];
    const m = { thresholds: [0.5], tp: z, fp: z, fn: z, f1: z, precision: z, recall: z, accuracy: z, meanMatchedIoU: z, pq: z };
    const img = { ...m, name: '=cmd|calc', gt: '@gt.tif', pred: '-pred.tif', nGt: 0, nPred: 0, splits: 0, merges: 0, splitsPct: 0, mergesPct: 0 };
    const report = { thresholds: [0.5], pooled: img, mean: m, images: [img], unpaired: { gt: [], pred: [] } } as unknown as SetScoreReport;
    const last = formatScoreCsv(report).trim().split('\n').at(-1)!;
    expect(fields(last).slice(0, 3)).toEqual(["'=cmd|calc", "'@gt.tif", "'-pred.tif"]);
  });
});
