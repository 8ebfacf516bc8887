// Quality flags of the fields of a run, from the measures in summary.csv (qc.ts), each
// judged against the rest of its plate with robust statistics (median and MAD), so that a
// plate of dim or sparse fields is not flagged as a whole.
import { median } from './qc.js';

/** The flag thresholds (stated in the report). A field is flagged when any measure reaches its threshold. */
export const QC_THRESHOLDS = Object.freeze({
  /** Empty or near-empty: fewer nuclei than this share of the plate's median count per field … */
  emptyShare: 0.1,
  /** … or fewer than this many. */
  emptyMin: 5,
  /** Out of focus: the field's focus measure this many robust standard deviations (1.4826 × MAD of ln focus) below the plate's median. */
  focusZ: 3,
  /** Debris or size outlier: the field's median nucleus area this many robust standard deviations (of ln area) from the plate's median. */
  sizeZ: 3,
  /** Saturated: this share of the field's pixels at the camera's ceiling. */
  saturated: 0.001,
  /** Low confidence (deep models): this share of the nuclei's area in nuclei the model was unsure of. */
  lowConfidence: 0.25,
  /** The smallest robust spread used (ln units), so a plate of near-identical fields does not flag tiny differences. */
  minSpread: 0.1,
  /** A plate with fewer fields than this is judged against the whole run. */
  minFields: 8,
});

/** One field of summary.csv, as the report reads it; a measure it does not have is NaN (unknown: not judged). */
export interface SummaryField {
  image: string;
  file: string;
  plate: string;
  well: string;
  field: string;
  status: string;
  count: number;
  medianArea: number;
  medianIntensity: number;
  focus: number;
  saturated: number;
  lowConfidence: number | null;
  seconds: number;
  error: string;
}

/** A field with its plate-relative measures, its flags and its QC score (the largest measure over its threshold: ≥ 1 is flagged). */
export interface FieldFlags extends SummaryField {
  focusZ: number;
  sizeZ: number;
  flags: string[];
  qcScore: number;
}

/** Median and robust spread (1.4826 × MAD, at least QC_THRESHOLDS.minSpread) of a list. */
function robust(v: number[]): { m: number; s: number } {
  const m = median(v);
  return { m, s: Math.max(QC_THRESHOLDS.minSpread, 1.4826 * median(v.map((x) => Math.abs(x - m)))) };
}

/**
 * Flags the fields of a run (the 'done' and 'skipped' ones; failed fields are listed apart):
 * empty, out of focus, size outlier, saturated, low confidence (QC_THRESHOLDS), each field
 * judged against its plate (or the whole run for plates of fewer than minFields fields).
 *
 * @example
 * ```ts
 * import { flagFields, readSummary } from 'nucseg';
 * const flagged = flagFields(await readSummary('results')).filter((f) => f.flags.length);
 * ```
 */
export function flagFields(fields: readonly SummaryField[]): FieldFlags[] {
  const T = QC_THRESHOLDS;
  const ok = fields.filter((f) => f.status !== 'failed');
  const byPlate = new Map<string, SummaryField[]>();
  for (const f of ok) byPlate.set(f.plate, [...(byPlate.get(f.plate) ?? []), f]);
  const out: FieldFlags[] = [];
  for (const plate of byPlate.values()) {
    const ref = plate.length >= T.minFields ? plate : ok;
    const emptyBelow = Math.max(T.emptyMin, T.emptyShare * median(ref.map((f) => f.count)));
    const focus = robust(ref.filter((f) => f.focus > 0).map((f) => Math.log(f.focus)));
    const size = robust(ref.filter((f) => f.count >= emptyBelow && f.medianArea > 0).map((f) => Math.log(f.medianArea)));
    for (const f of plate) {
      // focus 0: a flat field (no texture at all); NaN: not measured
      const focusZ = f.focus > 0 ? (Math.log(f.focus) - focus.m) / focus.s : f.focus === 0 ? -99 : NaN;
      const empty = f.count < emptyBelow;
      const sizeZ = !empty && f.medianArea > 0 ? (Math.log(f.medianArea) - size.m) / size.s : NaN;
      const known = (v: number) => (Number.isFinite(v) ? v : 0);
      const scores: Record<string, number> = {
        empty: empty ? Math.min(10, emptyBelow / Math.max(f.count, emptyBelow / 10)) : f.count > 0 ? Math.min(0.99, emptyBelow / f.count) : 0,
        'out of focus': Math.min(10, Math.max(0, -known(focusZ)) / T.focusZ),
        'size outlier': Math.min(10, Math.abs(known(sizeZ)) / T.sizeZ),
        saturated: Math.min(10, known(f.saturated) / T.saturated),
        'low confidence': f.lowConfidence === null || !Number.isFinite(f.lowConfidence) ? 0 : Math.min(10, f.lowConfidence / T.lowConfidence),
      };
      const flags = Object.keys(scores).filter((k) => scores[k] >= 1);
      out.push({ ...f, focusZ, sizeZ, flags, qcScore: Math.max(...Object.values(scores)) });
    }
  }
  return out.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}
