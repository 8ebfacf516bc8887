import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, Option } from 'clipanion';
import { annotationKind, annotationsToLabels, fieldSize, writeLabelsAs, type AnnotationLabels, type AnnotationOutput } from '../annotations/convert.js';
import { planFolderConversion } from '../annotations/folder.js';
import { NucsegError, isUserError } from '../util/errors.js';
import { NucsegCommand } from './base.js';

const OUTPUTS: Record<AnnotationOutput, string[]> = { labels: ['.tif', '.tiff'], geojson: ['.geojson', '.json'], 'roi-zip': ['.zip'] };

/**
 * One line saying what a conversion did (objects, ids, skipped, overlaps, empty objects).
 *
 * @example
 * ```ts
 * describeConversion('a.geojson', 'a.tif', r); // 'a.geojson -> a.tif: 212 objects; ids kept; 1 skipped (first: pt: Point has no area)'
 * ```
 */
export function describeConversion(input: string, out: string, r: AnnotationLabels): string {
  const parts = [`${r.objects} objects`, `ids ${r.idSource}`];
  if (r.skipped.length) parts.push(`${r.skipped.length} skipped (first: ${r.skipped[0].name}: ${r.skipped[0].reason})`);
  if (r.overlapPixels) parts.push(`${r.overlapPixels} overlapping pixels in ${r.overlaps.length} pairs, later object wins`);
  if (r.empty.length) parts.push(`${r.empty.length} with no pixel centre inside (first: ${r.empty[0]})`);
  return `${input} -> ${out}: ${parts.join('; ')}`;
}

/** `nucseg annotations convert`: one file, or every annotation file of a folder (issue 17). */
export class AnnotationsConvertCommand extends NucsegCommand {
  static override paths = [['annotations', 'convert']];
  static override usage = Command.Usage({
    category: 'Annotations',
    description: 'Convert annotations between label images, QuPath GeoJSON and ImageJ ROI zips',
    details: `
      Reads a label image (.tif/.tiff/.png), GeoJSON (.geojson/.json: QuPath's export, a
      FeatureCollection or an array of Features; Polygon and MultiPolygon with holes), one
      ImageJ ROI (.roi) or an ImageJ ROI Manager zip (.zip: polygon, freehand, traced,
      rectangle, oval and composite ROIs) and writes it as labels, GeoJSON or a ROI zip.

      GeoJSON and ROIs are rasterized on the pixel grid of the --like field: a pixel belongs to
      an object when its centre lies inside (even-odd: holes are left out; ovals use ImageJ's
      rule); where objects overlap the later one wins and the overlap is reported. Label ids
      are the ones the objects carry (GeoJSON "label", or names "nucleus N", as nucseg writes)
      when all carry distinct ones, else 1..n in file order. Outlines are written along pixel
      edges, so labels -> GeoJSON/ROI zip -> labels gives the same labels back.

      With a folder, every annotation file below it is converted to --out (a folder, same
      sub-folders, <name>.tif/.geojson/.zip); --like is then one field or a folder of fields
      paired by name (A01.geojson, A01.tif.geojson or A01.zip with A01.tif). A file that fails
      is reported and the others go on; the exit code is then 1.
    `,
    examples: [
      ['QuPath corrections back to labels for training', 'nucseg annotations convert corrected.geojson --like images/A01.tif --to labels --out labels/A01.tif'],
      ['Labels to Fiji', 'nucseg annotations convert results/A01.labels.tif --to roi-zip --out A01-RoiSet.zip'],
      ['A folder of QuPath exports, each on its field (paired by name)', 'nucseg annotations convert qupath/ --like images/ --to labels --out labels/'],
    ],
  });

  input = Option.String({ name: 'in' });
  like = Option.String('--like', { description: 'The field (image or labels) whose pixel grid GeoJSON and ROIs are rasterized on' });
  to = Option.String('--to', { required: true, description: 'labels, geojson or roi-zip' });
  out = Option.String('--out,-o', { required: true, description: 'Output file (.tif for labels, .geojson, .zip)' });
  objectType = Option.String('--object-type', { description: "Keep only these object types, comma-separated (QuPath's objectType, e.g. detection; ImageJ's ROI type, e.g. traced)" });
  cellPart = Option.String('--cell-part', 'nucleus', { description: "For QuPath cells: the 'nucleus' (default) or the 'cell' outline" });
  quiet = Option.Boolean('--quiet', false);

  async run(): Promise<number> {
    const to = this.to as AnnotationOutput;
    if (!(to in OUTPUTS)) throw new NucsegError(`--to must be labels, geojson or roi-zip, not '${this.to}'`);
    if (this.cellPart !== 'nucleus' && this.cellPart !== 'cell') throw new NucsegError(`--cell-part must be nucleus or cell, not '${this.cellPart}'`);
    const objectTypes = this.objectType?.split(',').map((s) => s.trim()).filter(Boolean);
    const opts = { objectTypes, cellPart: this.cellPart as 'nucleus' | 'cell' };
    if (await stat(this.input).then((s) => s.isDirectory(), () => false)) {
      let failed = 0;
      for (const job of await planFolderConversion(this.input, this.like, to, this.out)) {
        try {
          await this.convertOne(job.input, job.like, to, job.output, opts);
        } catch (e) {
          if (!isUserError(e)) throw e;
          this.context.stderr.write(`nucseg: ${e.message}\n`);
          failed++;
        }
      }
      return failed ? 1 : 0;
    }
    if (!OUTPUTS[to].includes(extname(this.out).toLowerCase())) throw new NucsegError(`--out for --to ${to} must end in ${OUTPUTS[to].join(' or ')}`, { file: this.out });
    await this.convertOne(this.input, this.like, to, this.out, opts);
    return 0;
  }

  /** Converts one file and prints its summary line. */
  private async convertOne(input: string, like: string | undefined, to: AnnotationOutput, out: string, opts: { objectTypes?: string[]; cellPart: 'nucleus' | 'cell' }): Promise<void> {
    if (!annotationKind(input)) throw new NucsegError('unknown annotation format (expected .tif, .tiff, .png, .geojson, .json, .roi or .zip)', { file: input });
    const size = like ? await fieldSize(like) : undefined;
    const r = await annotationsToLabels(input, size, opts);
    await writeLabelsAs(r.labels, out, to);
    if (!this.quiet) this.context.stdout.write(describeConversion(input, out, r) + '\n');
  }
}
