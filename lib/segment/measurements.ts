import { csvCell } from '../util/csv.js';
import type { ImageData, LabelImage } from '../image/types.js';
import { measureRegions } from '../kernels/measure.js';
import type { PlateInfo } from './plate.js';

/** One nucleus, as written to `<name>.csv` (CellProfiler-style, one row per object). */
export interface NucleusRow {
  label: number;
  area: number;
  centroid_x: number;
  centroid_y: number;
  bbox_x0: number;
  bbox_y0: number;
  bbox_x1: number;
  bbox_y1: number;
  equivalent_diameter: number;
  eccentricity: number;
  solidity: number;
  mean_intensity: number;
  integrated_intensity: number;
  min_intensity: number;
  max_intensity: number;
  touches_border: number;
}

export const NUCLEUS_COLUMNS: readonly (keyof NucleusRow)[] = [
  'label', 'area', 'centroid_x', 'centroid_y', 'bbox_x0', 'bbox_y0', 'bbox_x1', 'bbox_y1', 'equivalent_diameter',
  'eccentricity', 'solidity', 'mean_intensity', 'integrated_intensity', 'min_intensity', 'max_intensity', 'touches_border',
];

/**
 * Per-nucleus measurements: area (px), centroid (px, pixel centres at integer coordinates),
 * inclusive bounding box, equivalent diameter √(4·area/π), eccentricity of the ellipse with
 * the same second moments, solidity = area / convex-hull area (hull of the pixel squares),
 * intensity statistics on the raw image, and whether the nucleus touches the image edge.
 *
 * @example
 * ```ts
 * import { measureNuclei } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 0, 1, 1, 0, 0, 0, 2]), width: 3, height: 3 };
 * const raw = { data: new Uint8Array([90, 110, 0, 100, 100, 0, 0, 0, 50]), width: 3, height: 3 };
 * const [a, b] = measureNuclei(labels, raw); // a: label 1, area 4, mean_intensity 100; b: label 2, area 1
 * ```
 */
export function measureNuclei(labels: LabelImage, raw: ImageData<Uint8Array | Uint16Array | Float32Array> | null, threads = 0): NucleusRow[] {
  const m = measureRegions(labels, raw, { threads });
  const rows: NucleusRow[] = [];
  for (let k = 0; k < m.ids.length; k++) {
    const a = m.area[k];
    const tr = m.mu20[k] + m.mu02[k];
    const det = Math.sqrt(((m.mu20[k] - m.mu02[k]) / 2) ** 2 + m.mu11[k] ** 2);
    const l1 = tr / 2 + det, l2 = tr / 2 - det;
    rows.push({
      label: m.ids[k],
      area: a,
      centroid_x: m.cx[k],
      centroid_y: m.cy[k],
      bbox_x0: m.x0[k],
      bbox_y0: m.y0[k],
      bbox_x1: m.x1[k],
      bbox_y1: m.y1[k],
      equivalent_diameter: Math.sqrt((4 * a) / Math.PI),
      eccentricity: l1 > 0 ? Math.sqrt(Math.max(0, 1 - l2 / l1)) : 0,
      solidity: m.hullArea[k] > 0 ? Math.min(1, a / m.hullArea[k]) : 1,
      mean_intensity: raw ? m.intensitySum[k] / a : 0,
      integrated_intensity: raw ? m.intensitySum[k] : 0,
      min_intensity: raw ? m.intensityMin[k] : 0,
      max_intensity: raw ? m.intensityMax[k] : 0,
      touches_border: m.touchesBorder[k],
    });
  }
  return rows;
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return csvCell(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(7).replace(/\.?0+$/, '').replace(/\.?0+e/, 'e');
}

/**
 * CSV text: image name and plate columns, then NUCLEUS_COLUMNS, one row per nucleus.
 *
 * @example
 * ```ts
 * import { measureNuclei, measurementsCsv, parsePlateName } from 'nucseg';
 * const labels = { data: new Uint16Array([1, 1, 0, 2]), width: 2, height: 2 };
 * const file = 'Plate1_B02_T0001F001L01A01Z01C01.tif';
 * const csv = measurementsCsv('B02-f1', parsePlateName(file), measureNuclei(labels, null)); // a header and 2 rows
 * ```
 */
export function measurementsCsv(name: string, plate: PlateInfo, rows: readonly NucleusRow[]): string {
  const head = ['image', 'plate', 'well', 'field', 'z', 'channel', ...NUCLEUS_COLUMNS];
  const pre = [name, plate.plate, plate.well, plate.field, plate.z, plate.channel].map((v) => fmt(v as never));
  const lines = [head.join(',')];
  for (const r of rows) lines.push([...pre, ...NUCLEUS_COLUMNS.map((c) => fmt(r[c]))].join(','));
  return lines.join('\n') + '\n';
}
