import { labelsToFeatureCollection } from '../annotations/geojson.js';
import { PNG } from 'pngjs';
import type { ImageData, LabelImage } from '../image/types.js';

/**
 * An overlay PNG: the normalized image in gray with each nucleus outline (label pixels with
 * a 4-neighbour of another label or background) in yellow.
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { normalizeImage, readImage, readLabels, renderOverlay } from 'nucseg';
 * const png = renderOverlay(normalizeImage(await readImage('examples/fields/images/dsb-3ebd2ab3.tif')), await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif'));
 * await writeFile('dsb-3ebd2ab3.overlay.png', png);
 * ```
 */
export function renderOverlay(normalized: ImageData<Float32Array>, labels: LabelImage): Buffer {
  const { width: w, height: h } = labels;
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const out = Buffer.alloc(w * h * 3);
  const L = labels.data, N = normalized.data;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = L[i];
      const edge = v !== 0 && ((x > 0 && L[i - 1] !== v) || (x + 1 < w && L[i + 1] !== v) || (y > 0 && L[i - w] !== v) || (y + 1 < h && L[i + w] !== v));
      if (edge) {
        out[3 * i] = 255;
        out[3 * i + 1] = 220;
        out[3 * i + 2] = 0;
      } else {
        const g = Math.round(Math.max(0, Math.min(1, N[i])) * 255);
        out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g;
      }
    }
  png.data = out;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * GeoJSON FeatureCollection with one Polygon per nucleus (a MultiPolygon for a nucleus in
 * several pieces), holes included, in QuPath's import format (objectType 'detection',
 * classification 'Nucleus'); outlines along pixel edges, coordinates in pixels
 * (lib/annotations/geojson.ts labelsToFeatureCollection; read back by parseGeoJson).
 *
 * @example
 * ```ts
 * import { writeFile } from 'node:fs/promises';
 * import { labelsToGeoJson, readLabels } from 'nucseg';
 * const geo = labelsToGeoJson(await readLabels('examples/fields/labels/dsb-3ebd2ab3.tif')); // measurements: { area } unless given per label
 * await writeFile('dsb-3ebd2ab3.geojson', JSON.stringify(geo)); // drag into QuPath
 * ```
 */
export function labelsToGeoJson(labels: LabelImage, extra: Record<number, Record<string, number>> = {}): object {
  return labelsToFeatureCollection(labels, extra);
}
