import { PNG } from 'pngjs';
import type { RoiBatch } from '../kernels/augment.js';

/**
 * A contact sheet of ROIs: each cell shows the augmented image, its normalized-distance
 * target and its border target side by side (gray), with a 4-px gap; `cols` cells per row.
 */
export function contactSheet(rois: { batch: RoiBatch; index: number }[], roi: number, cols = 4): Buffer {
  const gap = 4;
  const cellW = 3 * roi + 2 * gap, cellH = roi;
  const rows = Math.ceil(rois.length / cols);
  const W = cols * cellW + (cols + 1) * gap * 2, H = rows * cellH + (rows + 1) * gap * 2;
  const png = new PNG({ width: W, height: H, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const data = Buffer.alloc(W * H * 3, 40);
  rois.forEach(({ batch, index }, k) => {
    const ox = gap * 2 + (k % cols) * (cellW + gap * 2), oy = gap * 2 + Math.floor(k / cols) * (cellH + gap * 2);
    const off = index * roi * roi;
    [batch.image, batch.distance, batch.border].forEach((arr, panel) => {
      for (let y = 0; y < roi; y++)
        for (let x = 0; x < roi; x++) {
          const v = Math.round(Math.max(0, Math.min(1, arr[off + y * roi + x])) * 255);
          const p = ((oy + y) * W + ox + panel * (roi + gap) + x) * 3;
          data[p] = data[p + 1] = data[p + 2] = v;
        }
    });
  });
  png.data = data;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
