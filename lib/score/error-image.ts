import { PNG } from 'pngjs';
import type { LabelImage } from '../image/types.js';
import { labelOverlap, type LabelOverlap } from '../kernels/overlap.js';
import { writeFileAtomic } from '../util/atomic.js';

const MAGENTA = [255, 0, 255];
const GT_GRAY = [70, 70, 70];

/**
 * An error panel in the style of the seed paper's "GT XOR inference" figures, as RGB
 * pixels: every ground-truth nucleus missed at threshold `t` (false negative) is drawn in
 * full in magenta; elsewhere only the pixels where ground truth and prediction disagree
 * (the XOR of their foregrounds — boundary errors of matched nuclei and false-positive
 * objects) are magenta. Correct ground-truth pixels are dark gray for context. Pass the
 * pair's overlap table when it is already computed (scoring does).
 *
 * @example
 * ```ts
 * import { errorImage, readLabels } from 'nucseg';
 * const panel = errorImage(await readLabels('examples/gt/dsb-4bf6a5ec.tif'), await readLabels('examples/pred/dsb-4bf6a5ec.labels.tif'), 0.7);
 * // panel.data: RGB, 3 bytes per pixel; encodeRgbPng(panel) makes it a PNG
 * ```
 */
export function errorImage(gt: LabelImage, pred: LabelImage, t = 0.7, overlap?: LabelOverlap): { data: Uint8Array; width: number; height: number } {
  const ov = overlap ?? labelOverlap(gt, pred);
  const best = new Float64Array(ov.gtIds.length);
  for (let k = 0; k < ov.pairIoU.length; k++) if (ov.pairIoU[k] > best[ov.pairGt[k]]) best[ov.pairGt[k]] = ov.pairIoU[k];
  const missed = new Set<number>();
  ov.gtIds.forEach((id, i) => {
    if (best[i] < t) missed.add(id);
  });
  const { width, height } = gt;
  const rgb = new Uint8Array(width * height * 3);
  const g = gt.data, p = pred.data;
  for (let i = 0; i < g.length; i++) {
    const gv = g[i], pv = p[i];
    let c: number[] | undefined;
    if (gv !== 0 && missed.has(gv)) c = MAGENTA;
    else if ((gv !== 0) !== (pv !== 0)) c = MAGENTA;
    else if (gv !== 0) c = GT_GRAY;
    if (c) {
      rgb[3 * i] = c[0];
      rgb[3 * i + 1] = c[1];
      rgb[3 * i + 2] = c[2];
    }
  }
  return { data: rgb, width, height };
}

/**
 * Encodes an RGB buffer as an 8-bit PNG.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { encodeRgbPng } from 'nucseg';
 * const redGreen = { data: new Uint8Array([255, 0, 0, 0, 255, 0]), width: 2, height: 1 };
 * await writeFile('red-green.png', encodeRgbPng(redGreen));
 * ```
 */
export function encodeRgbPng(im: { data: Uint8Array; width: number; height: number }): Buffer {
  const png = new PNG({ width: im.width, height: im.height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(im.data.buffer, im.data.byteOffset, im.data.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * Writes errorImage(gt, pred, t) as a PNG (atomically).
 *
 * @example
 * ```ts
 * import { readLabels, writeErrorImage } from 'nucseg';
 * await writeErrorImage('dsb-4bf6a5ec.errors.png', await readLabels('examples/gt/dsb-4bf6a5ec.tif'), await readLabels('examples/pred/dsb-4bf6a5ec.labels.tif'), 0.7);
 * ```
 */
export async function writeErrorImage(path: string, gt: LabelImage, pred: LabelImage, t = 0.7, overlap?: LabelOverlap): Promise<void> {
  await writeFileAtomic(path, encodeRgbPng(errorImage(gt, pred, t, overlap)));
}
