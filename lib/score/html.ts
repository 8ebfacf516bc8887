// `nucseg score --report`: the scores of a set as one self-contained HTML page (lib/html/page.ts):
// F1 against IoU threshold, per-image F1, the tables `nucseg score` prints, error images.
import { dirname, relative } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeHtmlPage, type Block } from '../html/page.js';
import type { SetScoreReport } from './files.js';

/** One point of an F1 curve: a series (strategy, image, …), an IoU threshold, its F1. */
export interface F1Point {
  series: string;
  t: number;
  f1: number;
  /** Optional facet (e.g. the test set). */
  facet?: string;
}

/**
 * F1 against IoU threshold as a Vega-Lite spec: one line per series (coloured, with a legend
 * when there are at most 20 series), one panel per facet when points carry one.
 *
 * @example
 * ```ts
 * import { f1CurveSpec, renderHtmlPage } from 'nucseg';
 * const spec = f1CurveSpec([{ series: 'pooled', t: 0.5, f1: 0.9 }, { series: 'pooled', t: 0.9, f1: 0.4 }]);
 * const html = renderHtmlPage('F1', [{ kind: 'chart', id: 'f1', spec }]);
 * ```
 */
export function f1CurveSpec(points: F1Point[], title = 'F1 vs IoU threshold'): TopLevelSpec {
  const series = new Set(points.map((p) => p.series)).size;
  const layer = {
    width: 420,
    height: 260,
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 't', type: 'quantitative' as const, title: 'IoU threshold', scale: { zero: false } },
      y: { field: 'f1', type: 'quantitative' as const, title: 'F1', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal' as const, title: 'series', legend: series <= 20 ? {} : null },
      tooltip: [{ field: 'series' }, { field: 't', title: 'IoU' }, { field: 'f1', format: '.3f' }],
    },
  };
  const facet = points.some((p) => p.facet !== undefined);
  return (facet
    ? { title, data: { name: 'f1', values: points }, facet: { field: 'facet', type: 'nominal', title: null }, columns: 2, spec: layer }
    : { title, data: { name: 'f1', values: points }, ...layer }) as TopLevelSpec;
}

/**
 * F1 per image at chosen thresholds as a Vega-Lite dot plot: one row per series (or one row),
 * one dot per image, hover for the image's name.
 *
 * @example
 * ```ts
 * import { imageF1Spec } from 'nucseg';
 * const spec = imageF1Spec([{ series: 'baseline', image: 'a', t: 0.7, f1: 0.8 }]);
 * ```
 */
export function imageF1Spec(points: { series: string; image: string; t: number; f1: number }[], title = 'F1 per image'): TopLevelSpec {
  return {
    title,
    data: { name: 'images', values: points },
    facet: { column: { field: 't', type: 'ordinal', title: 'IoU threshold' } },
    spec: {
      width: 260,
      height: { step: 22 },
      mark: { type: 'tick', thickness: 2, size: 14 },
      encoding: {
        x: { field: 'f1', type: 'quantitative', title: 'F1', scale: { domain: [0, 1] } },
        y: { field: 'series', type: 'nominal', title: null },
        color: { field: 'series', type: 'nominal', legend: null },
        tooltip: [{ field: 'image' }, { field: 'series' }, { field: 'f1', format: '.3f' }],
      },
    },
  } as TopLevelSpec;
}

/** The thresholds closest to the object-level (0.7) and pixel-level (0.9) ones that were scored. */
export function keyThresholds(thresholds: readonly number[]): number[] {
  const near = (x: number) => thresholds.reduce((a, b) => (Math.abs(b - x) < Math.abs(a - x) ? b : a));
  return [...new Set([near(0.7), near(0.9)])];
}

/**
 * Writes the score report of a set as one HTML page: the F1-vs-IoU curve (pooled, mean over
 * images, each image), per-image F1 at the 0.7 and 0.9 thresholds, the per-threshold table,
 * per-image counts with splits and merges, and the error images when given (paths).
 *
 * @example
 * ```ts
 * import { scoreFiles, writeScoreReport } from 'nucseg';
 * await writeScoreReport('score.html', await scoreFiles('examples/gt', 'examples/pred'));
 * ```
 */
export async function writeScoreReport(path: string, r: SetScoreReport, errorImages: Record<string, string> = {}): Promise<void> {
  const curve: F1Point[] = [];
  r.thresholds.forEach((t, i) => {
    curve.push({ series: 'pooled', t, f1: r.pooled.f1[i] }, { series: 'mean over images', t, f1: r.mean.f1[i] });
    // an image named like a set series keeps a line of its own
    if (r.images.length <= 20) for (const im of r.images) curve.push({ series: ['pooled', 'mean over images'].includes(im.name) ? `${im.name} (image)` : im.name, t, f1: im.f1[i] });
  });
  const keys = keyThresholds(r.thresholds);
  const dots = r.images.flatMap((im) => keys.map((t) => ({ series: 'images', image: im.name, t, f1: im.f1[r.thresholds.indexOf(t)] })));
  const p = r.pooled;
  const blocks: Block[] = [
    { kind: 'text', text: `${p.nImages} image(s), ${p.nGt} ground-truth and ${p.nPred} predicted nuclei. Splits (a GT nucleus hit by 2+ predictions at IoU ≥ 0.1): ${p.splits}; merges (a prediction hitting 2+ GT nuclei): ${p.merges}.` },
    { kind: 'chart', id: 'f1-curve', spec: f1CurveSpec(curve) },
    { kind: 'chart', id: 'image-f1', spec: imageF1Spec(dots) },
    { kind: 'heading', text: 'Per threshold (pooled over images)' },
    {
      kind: 'table', id: 'thresholds',
      columns: [{ key: 't', label: 'IoU t' }, { key: 'tp', label: 'TP' }, { key: 'fp', label: 'FP' }, { key: 'fn', label: 'FN' }, { key: 'f1', label: 'F1 pooled', digits: 3 }, { key: 'f1mean', label: 'F1 mean', digits: 3 }, { key: 'precision', digits: 3 }, { key: 'recall', digits: 3 }, { key: 'pq', label: 'PQ', digits: 3 }],
      rows: r.thresholds.map((t, i) => ({ t, tp: p.tp[i], fp: p.fp[i], fn: p.fn[i], f1: p.f1[i], f1mean: r.mean.f1[i], precision: p.precision[i], recall: p.recall[i], pq: p.pq[i] })),
    },
    { kind: 'heading', text: 'Per image' },
    {
      kind: 'table', id: 'images',
      columns: [{ key: 'image' }, { key: 'gt', label: 'GT' }, { key: 'pred' }, ...keys.map((t) => ({ key: `f1@${t}`, label: `F1@${t}`, digits: 3 })), { key: 'splits' }, { key: 'merges' }],
      rows: r.images.map((im) => ({ image: im.name, gt: im.nGt, pred: im.nPred, ...Object.fromEntries(keys.map((t) => [`f1@${t}`, im.f1[r.thresholds.indexOf(t)]])), splits: im.splits, merges: im.merges })),
    },
  ];
  const errs = r.images.filter((im) => errorImages[im.name]);
  if (errs.length) {
    blocks.push({ kind: 'heading', text: 'Error images' }, {
      kind: 'images', id: 'errors', caption: 'Worst F1 first. Ground truth dark grey; missed ground-truth nuclei and every pixel where ground truth and prediction disagree magenta (score --errors-dir). Click for full size.',
      items: [...errs].sort((a, b) => a.f1[r.thresholds.indexOf(keys[0])] - b.f1[r.thresholds.indexOf(keys[0])]).map((im) => {
        const src = relative(dirname(path), errorImages[im.name]).split('\\').join('/');
        return { src, href: src, caption: `${im.name} · F1@${keys[0]} ${im.f1[r.thresholds.indexOf(keys[0])].toFixed(3)}` };
      }),
    });
  }
  await writeHtmlPage(path, 'nucseg score', blocks);
}
