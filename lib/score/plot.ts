import * as vega from 'vega';
import { writeFileAtomic } from '../util/atomic.js';
import type { SetScoreReport } from './files.js';

export interface PlotOptions {
  /** 'set': pooled and per-image-mean lines (default); 'images': one line per image plus pooled. */
  by?: 'set' | 'images';
  title?: string;
}

/**
 * F1 against IoU threshold as an SVG, rendered headless by Vega (no browser, no canvas).
 * With `by: 'images'`, one line per image (and the pooled line, drawn thicker).
 *
 * @example
 * ```ts
 * import { renderF1Plot, scoreFiles } from 'nucseg';
 * const svg = await renderF1Plot(await scoreFiles('examples/gt', 'examples/pred'), { by: 'images', title: 'examples' });
 * ```
 */
export async function renderF1Plot(r: SetScoreReport, opts: PlotOptions = {}): Promise<string> {
  const values: { t: number; f1: number; series: string; bold: boolean }[] = [];
  r.thresholds.forEach((t, i) => values.push({ t, f1: r.pooled.f1[i], series: 'pooled', bold: true }));
  if ((opts.by ?? 'set') === 'set') {
    r.thresholds.forEach((t, i) => values.push({ t, f1: r.mean.f1[i], series: 'mean over images', bold: false }));
  } else {
    for (const im of r.images) r.thresholds.forEach((t, i) => values.push({ t, f1: im.f1[i], series: im.name, bold: false }));
  }
  const tMin = Math.min(...r.thresholds), tMax = Math.max(...r.thresholds);
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: 480,
    height: 300,
    padding: 8,
    title: { text: opts.title ?? `F1 vs IoU threshold (${r.pooled.nImages} images, ${r.pooled.nGt} nuclei)` },
    data: [{ name: 'f1', values }],
    scales: [
      { name: 'x', type: 'linear', domain: [tMin, tMax === tMin ? tMin + 0.05 : tMax], range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: [0, 1], range: 'height' },
      { name: 'color', type: 'ordinal', domain: { data: 'f1', field: 'series' }, range: 'category' },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'IoU threshold', grid: true },
      { orient: 'left', scale: 'y', title: 'F1', grid: true },
    ],
    legends: values.length / r.thresholds.length <= 20 ? [{ stroke: 'color', title: 'series', orient: 'right' }] : [],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'f1', groupby: ['series', 'bold'] } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            encode: {
              enter: {
                x: { scale: 'x', field: 't' },
                y: { scale: 'y', field: 'f1' },
                stroke: { scale: 'color', field: 'series' },
                strokeWidth: { signal: "datum.bold ? 3 : 1.5" },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: { enter: { x: { scale: 'x', field: 't' }, y: { scale: 'y', field: 'f1' }, fill: { scale: 'color', field: 'series' }, size: { value: 20 } } },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Writes renderF1Plot(r, opts) to `path` as SVG (atomically).
 *
 * @example
 * ```ts
 * import { scoreFiles, writeF1Plot } from 'nucseg';
 * await writeF1Plot('f1.svg', await scoreFiles('examples/gt', 'examples/pred'));
 * ```
 */
export async function writeF1Plot(path: string, r: SetScoreReport, opts: PlotOptions = {}): Promise<void> {
  await writeFileAtomic(path, await renderF1Plot(r, opts));
}
