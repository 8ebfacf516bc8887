// `nucseg report`: one self-contained HTML page of a segmentation run, built from what the run
// wrote (summary.csv, run.json, the per-nucleus CSVs and thumbnails): plate maps, QC flags,
// thumbnails ordered by QC score, distributions per well, settings and timing.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { checkHtmlPath, writeHtmlPage, type Block } from '../html/page.js';
import { OUTPUT_SUFFIXES } from '../image/discover.js';
import { parseCsv } from '../util/csv.js';
import { NucsegError } from '../util/errors.js';
import { splitWell } from './plate.js';
import { median } from './qc.js';
import { flagFields, QC_THRESHOLDS, type FieldFlags, type SummaryField } from './report-qc.js';

export interface RunReportOptions {
  /** Where to write the page (default <out>/report.html). */
  file?: string;
  /** At most this many fields' per-nucleus CSVs are read for the distributions (evenly spread; default 400), … */
  maxFieldsForDistributions?: number;
  /** … and at most this many nuclei of each (default 200). */
  maxNucleiPerField?: number;
}

const num = (v: string | undefined) => (v === undefined || v === '' ? NaN : Number(v));
/** A cell written by csvCell, with the quote that guards formula-like text removed. */
const text = (v: string | undefined) => (v ?? '').replace(/^'(?=[=+\-@\t\r])/, '');

/** Reads `<out>/summary.csv` (one row per field, see writeRunSummary) with a clear error when it is missing or not a nucseg summary. */
export async function readSummary(out: string): Promise<SummaryField[]> {
  const path = join(out, 'summary.csv');
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    throw new NucsegError('no summary.csv here: is this the --out folder of a finished nucseg segment run?', { file: out });
  }
  const rows = parseCsv(raw, path);
  if (rows.length && !('image' in rows[0] && 'status' in rows[0] && 'count' in rows[0])) throw new NucsegError('not a nucseg summary.csv (no image, status and count columns)', { file: path });
  return rows.map((r) => ({
    image: text(r.image), file: text(r.file), plate: text(r.plate), well: text(r.well), field: text(r.field), status: r.status,
    // a measure the summary does not have (a run of an older nucseg, a failed field) is NaN: unknown, never flagged
    count: num(r.count) || 0, medianArea: num(r.median_area), medianIntensity: num(r.median_intensity),
    focus: num(r.focus), saturated: num(r.saturated_fraction),
    lowConfidence: r.low_confidence_fraction === undefined || r.low_confidence_fraction === '' ? null : num(r.low_confidence_fraction),
    seconds: num(r.seconds) || 0, error: text(r.error),
  }));
}

/** Per well: fields, mean nuclei per field, medians over fields, worst QC score and its flags. */
function wellRows(fields: FieldFlags[]) {
  // a01, A01 and A1 are one well: grouped by plate, row and column
  const wells = new Map<string, FieldFlags[]>();
  for (const f of fields) {
    const p = splitWell(f.well);
    if (!p) continue;
    const key = `${f.plate}\u0000${p.row}\u0000${p.column}`;
    wells.set(key, [...(wells.get(key) ?? []), f]);
  }
  const finiteMedian = (v: number[]) => (v.some(Number.isFinite) ? median(v.filter(Number.isFinite)) : null);
  return [...wells.values()].map((fs) => {
    const p = splitWell(fs[0].well)!;
    const worst = fs.reduce((a, b) => (b.qcScore > a.qcScore ? b : a));
    return {
      plate: fs[0].plate || '(plate)', well: p.well, row: p.row, column: p.column, fields: fs.length,
      nuclei: Math.round((fs.reduce((a, f) => a + f.count, 0) / fs.length) * 10) / 10,
      median_area: finiteMedian(fs.map((f) => f.medianArea)), median_intensity: finiteMedian(fs.map((f) => f.medianIntensity)),
      qc_score: Math.round(worst.qcScore * 100) / 100, flags: [...new Set(fs.flatMap((f) => f.flags))].join(', ') || 'none',
    };
  });
}

/** One plate's heat maps (nuclei per field, median area, median intensity, QC score), one cell per well present. */
function plateMaps(plate: string, wells: ReturnType<typeof wellRows>): TopLevelSpec {
  const rows = [...new Set(wells.map((w) => w.row))].sort((a, b) => a.length - b.length || a.localeCompare(b));
  const map = (field: string, title: string, scheme: string) => ({
    title,
    width: { step: 14 },
    height: { step: 14 },
    mark: { type: 'rect' as const, stroke: '#fff', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'column', type: 'ordinal' as const, title: 'column', sort: 'ascending' as const },
      y: { field: 'row', type: 'ordinal' as const, title: 'row', sort: rows },
      color: { field, type: 'quantitative' as const, title, scale: { scheme } },
      tooltip: [{ field: 'well' }, { field: 'fields' }, { field: 'nuclei', title: 'nuclei per field' }, { field: 'median_area', format: '.1f' }, { field: 'median_intensity', format: '.1f' }, { field: 'qc_score' }, { field: 'flags' }],
    },
  });
  return {
    title: plate,
    data: { name: 'wells', values: wells.filter((w) => w.plate === plate) },
    columns: 2,
    concat: [map('nuclei', 'nuclei per field', 'viridis'), map('median_area', 'median area (px)', 'viridis'), map('median_intensity', 'median intensity', 'viridis'), map('qc_score', 'QC score (≥ 1 flagged)', 'orangered')],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** Area and mean intensity of a sample of the nuclei, per well (or per field without plate names). */
async function nucleusSample(out: string, fields: FieldFlags[], o: RunReportOptions): Promise<{ group: string; area: number; intensity: number }[]> {
  const done = fields.filter((f) => f.count > 0);
  const nf = Math.min(done.length, o.maxFieldsForDistributions ?? 400), per = o.maxNucleiPerField ?? 200;
  const picked = Array.from({ length: nf }, (_, i) => done[Math.floor((i * done.length) / nf)]);
  const values: { group: string; area: number; intensity: number }[] = [];
  for (const f of picked) {
    const csv = join(out, `${f.image}.csv`);
    if (!existsSync(csv)) continue;
    let rows: Record<string, string>[];
    try {
      rows = parseCsv(await readFile(csv, 'utf8'), csv);
    } catch {
      continue; // a damaged per-nucleus CSV leaves its field out of the distributions
    }
    const step = Math.max(1, rows.length / per);
    for (let k = 0; k < rows.length; k += step) {
      const r = rows[Math.floor(k)];
      const v = { group: f.well ? `${f.plate ? f.plate + ' ' : ''}${f.well}` : f.image, area: Number(r.area), intensity: Number(r.mean_intensity) };
      if (Number.isFinite(v.area) && Number.isFinite(v.intensity)) values.push(v);
    }
  }
  return values;
}

function distributions(values: { group: string; area: number; intensity: number }[], byWell: boolean): TopLevelSpec {
  // log scales, unless a value is not positive (background-subtracted or float intensities)
  const box = (field: 'area' | 'intensity', title: string) => ({
    width: { step: 12 },
    height: 180,
    mark: { type: 'boxplot' as const, extent: 1.5, size: 8 },
    encoding: { x: { field: 'group', type: 'nominal' as const, title: byWell ? 'well' : 'field', axis: { labelAngle: -90 } }, y: { field, type: 'quantitative' as const, title, scale: { type: values.every((v) => v[field] > 0) ? ('log' as const) : ('linear' as const) } } },
  });
  return { data: { name: 'nuclei', values }, vconcat: [box('area', 'nucleus area (px)'), box('intensity', 'nucleus mean intensity')] } as TopLevelSpec;
}

const rel = (from: string, path: string) => relative(dirname(from), path).split('\\').join('/');

/**
 * Builds the HTML report of the segmentation run in `out` (see RunReportOptions) and returns
 * the page's path: plate heat maps (wells present, with hover details), the QC thresholds and
 * the flagged fields (sortable), thumbnails ordered by QC score (files beside the page, written
 * by `segment --thumbnails`), distributions of area and intensity per well, settings and timing.
 *
 * @example
 * ```ts
 * import { segmentFiles, writeRunReport, writeRunSummary } from 'nucseg';
 * const opts = { out: 'results', thumbnails: true };
 * const results = [];
 * for await (const r of segmentFiles('examples/fields/images', opts)) results.push(r);
 * await writeRunSummary(opts.out, results, opts);
 * const page = await writeRunReport('results'); // 'results/report.html'
 * ```
 */
export async function writeRunReport(out: string, o: RunReportOptions = {}): Promise<string> {
  const file = resolve(o.file ?? join(out, 'report.html'));
  checkHtmlPath(file);
  const summary = await readSummary(out);
  const fields = flagFields(summary);
  const failed = summary.filter((f) => f.status === 'failed');
  let run: Record<string, unknown> = {};
  try {
    run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
  } catch {
    /* a summary without run.json (older runs): no settings section */
  }
  const wells = wellRows(fields);
  const plates = [...new Set(wells.map((w) => w.plate))];
  const flagged = fields.filter((f) => f.flags.length).sort((a, b) => b.qcScore - a.qcScore);
  const T = QC_THRESHOLDS;
  const blocks: Block[] = [
    { kind: 'text', text: `${fields.length} field(s) segmented${failed.length ? `, ${failed.length} failed` : ''}; ${fields.reduce((a, f) => a + f.count, 0)} nuclei; ${flagged.length} field(s) flagged by QC; ${plates.length} plate(s) with parsed well names.` },
    { kind: 'heading', text: 'Plate maps' },
    ...(plates.length ? plates.map((p, i): Block => ({ kind: 'chart', id: `plate-${i}`, spec: plateMaps(p, wells), caption: 'Fields aggregated per well: mean nuclei per field, medians of the fields\' median area and intensity, the worst field\'s QC score. Hover a well for details.' })) : [{ kind: 'text' as const, text: 'No well names were parsed from the file names (nucseg segment --name-pattern gives them), so there is no plate map.' }]),
    { kind: 'heading', text: 'Quality control' },
    { kind: 'text', text: `Each field is judged against its plate (or the whole run, for plates of fewer than ${T.minFields} fields), robust z = (value − median) / (1.4826 × MAD), on log scales. Flags: empty — fewer than max(${T.emptyMin}, ${T.emptyShare} × the median count) nuclei; out of focus — focus (variance of the Laplacian over the variance of the image) z ≤ −${T.focusZ}; size outlier — median nucleus area |z| ≥ ${T.sizeZ}; saturated — ≥ ${T.saturated * 100} % of pixels at the camera's ceiling; low confidence — ≥ ${T.lowConfidence * 100} % of the nuclei's area in nuclei the deep model was unsure of. The QC score is the largest measure over its threshold (≥ 1 is flagged).` },
    { kind: 'table', id: 'flagged', caption: flagged.length ? 'Flagged fields (click a heading to sort)' : 'No field is flagged.', columns: [{ key: 'image' }, { key: 'well' }, { key: 'flags' }, { key: 'qcScore', label: 'QC score', digits: 2 }, { key: 'count', label: 'nuclei' }, { key: 'focusZ', label: 'focus z', digits: 2 }, { key: 'sizeZ', label: 'size z', digits: 2 }, { key: 'saturated', label: 'saturated', digits: 5 }, { key: 'lowConfidence', label: 'low confidence', digits: 3 }], rows: flagged.map((f) => ({ ...f, flags: f.flags.join(', ') })) },
    ...(failed.length ? [{ kind: 'table' as const, id: 'failed', caption: 'Failed fields', columns: [{ key: 'image' }, { key: 'error' }], rows: failed.map((f) => ({ image: f.image, error: f.error })) }] : []),
    { kind: 'heading', text: 'Fields by QC score' },
    thumbnails(out, file, fields),
    { kind: 'heading', text: 'Distributions' },
  ];
  const sample = await nucleusSample(out, fields, o);
  const noSample = !fields.some((f) => f.count > 0) ? 'No nuclei were found, so there are no distributions.' : 'No readable per-nucleus CSVs (a run with --no-csv?), so no distributions.';
  const byWell = fields.some((f) => f.well);
  blocks.push(sample.length ? { kind: 'chart', id: 'distributions', spec: distributions(sample, byWell), caption: `Area and mean intensity of ${sample.length} nuclei (at most ${o.maxNucleiPerField ?? 200} per field, from at most ${o.maxFieldsForDistributions ?? 400} fields), per ${byWell ? 'well' : 'field'}.` } : { kind: 'text', text: noSample });
  blocks.push({ kind: 'heading', text: 'Run' }, { kind: 'table', id: 'run', columns: [{ key: 'key' }, { key: 'value' }], rows: runRows(run, fields) });
  await writeHtmlPage(file, `nucseg report — ${out}`, blocks);
  return file;
}

function thumbnails(out: string, page: string, fields: FieldFlags[]): Block {
  const items = [...fields]
    .sort((a, b) => b.qcScore - a.qcScore)
    .filter((f) => existsSync(join(out, `${f.image}${OUTPUT_SUFFIXES.thumbnail}`)))
    .map((f) => {
      const overlay = join(out, `${f.image}${OUTPUT_SUFFIXES.overlay}`);
      return { src: rel(page, join(out, `${f.image}${OUTPUT_SUFFIXES.thumbnail}`)), href: existsSync(overlay) ? rel(page, overlay) : undefined, caption: `${f.image} · ${f.count} nuclei · QC ${f.qcScore.toFixed(2)}${f.flags.length ? ` · ${f.flags.join(', ')}` : ''}` };
    });
  if (!items.length) return { kind: 'text', text: 'No thumbnails: segment with --thumbnails (or --report) to have them.' };
  return { kind: 'images', id: 'thumbnails', items, caption: 'Worst first. Click a thumbnail for the full-size overlay (when the run wrote --overlay).' };
}

function runRows(run: Record<string, unknown>, fields: FieldFlags[]): { key: string; value: string }[] {
  const secs = fields.map((f) => f.seconds).sort((a, b) => a - b);
  const rows = [
    { key: 'nucseg', value: String(run.nucseg ?? '') },
    { key: 'node', value: String(run.node ?? '') },
    { key: 'model', value: String(run.model ?? '') },
    { key: 'devices', value: Array.isArray(run.devices) ? run.devices.join(', ') : '' },
    { key: 'images (done / skipped / failed)', value: `${run.images ?? ''} (${run.done ?? ''} / ${run.skipped ?? ''} / ${run.failed ?? ''})` },
    { key: 'run time (s)', value: typeof run.seconds === 'number' ? run.seconds.toFixed(1) : '' },
    { key: 'median time per field (s)', value: secs.length ? secs[Math.floor((secs.length - 1) / 2)].toFixed(2) : '' },
    { key: 'settings', value: JSON.stringify(run.settings ?? {}) },
  ];
  return rows.filter((r) => r.value !== '');
}
