import { relative, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { csvCell } from '../util/csv.js';
import { VERSION } from '../version.js';
import { DEFAULT_MODEL } from '../models/registry.js';
import type { SegmentFilesOptions } from './batch.js';
import { pickJobOptions, type ImageResult } from './job.js';
import { resumeKey, settingsKey } from './resume.js';

/**
 * Writes `summary.csv` (one row per image) and `run.json` (settings, versions, outcome).
 *
 * @example
 * ```ts
 * import { segmentFiles, writeRunSummary, type ImageResult } from 'nucseg';
 * const opts = { out: 'results', model: 'classic' };
 * const results: ImageResult[] = [];
 * for await (const r of segmentFiles('examples/fields/images', opts)) results.push(r);
 * await writeRunSummary(opts.out, results, opts, { note: 'first pass' }); // extra keys go into run.json
 * ```
 */
export async function writeRunSummary(out: string, results: readonly ImageResult[], opts: SegmentFilesOptions, extra: Record<string, unknown> = {}): Promise<void> {
  const head = ['image', 'file', 'plate', 'well', 'field', 'z', 'channel', 'status', 'count', 'mean_area', 'diameter', 'diameter_source', 'scale', 'median_area', 'median_intensity', 'foreground_fraction', 'focus', 'saturated_fraction', 'low_confidence_fraction', 'seconds', 'error'];
  const cell = (v: unknown) => {
    if (v === undefined || v === null) return '';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
    return csvCell(String(v));
  };
  const sorted = [...results].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = [head.join(',')];
  for (const r of sorted) lines.push([r.name, relative(out, r.file), r.plate.plate, r.plate.well, r.plate.field, r.plate.z, r.plate.channel, r.status, r.count, r.meanArea, r.diameter, r.diameterSource, r.scale, r.qc?.medianArea, r.qc?.medianIntensity, r.qc?.foreground, r.qc?.focus, r.qc?.saturated, r.qc?.lowConfidence, r.seconds, r.error?.split('\n')[0]].map(cell).join(','));
  await writeFileAtomic(join(out, 'summary.csv'), lines.join('\n') + '\n');
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const run = {
    nucseg: VERSION,
    node: process.version,
    settings: pickJobOptions(opts),
    settingsKey: await resumeKey(pickJobOptions(opts)).catch(() => settingsKey(opts)),
    model: opts.model ?? DEFAULT_MODEL,
    jobs: opts.jobs ?? 1,
    images: results.length,
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
    devices: [...new Set(results.map((r) => r.device).filter(Boolean))],
    failures: results.filter((r) => r.status === 'failed').map((r) => ({ file: r.file, error: r.error })),
    // per field: the nucleus diameter used (px), 'auto' (estimated) or 'given', and the scale the model ran at
    diameters: sorted.filter((r) => r.status !== 'failed').map((r) => ({ image: r.name, diameter: r.diameter ?? null, source: r.diameterSource ?? null, scale: r.scale ?? null })),
    ...extra,
  };
  await writeFileAtomic(join(out, 'run.json'), JSON.stringify(run, null, 2) + '\n');
}
