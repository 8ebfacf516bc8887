import { Command, Option } from 'clipanion';
import { NucsegCommand } from './base.js';
import { join, relative } from 'node:path';
import { scoreFiles } from '../score/files.js';
import { formatScoreCsv, formatScoreJson, formatScoreTable, unpairedNote } from '../score/report.js';
import { renderF1Plot } from '../score/plot.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeScoreReport } from '../score/html.js';
import { checkHtmlPath } from '../html/page.js';
import { writeErrorImage } from '../score/error-image.js';
import { OUTPUT_SUFFIXES } from '../image/discover.js';
import { createProgress } from '../util/progress.js';
import { NucsegError } from '../util/errors.js';
import { parseThresholds, wholeNumber } from './parse.js';
import { VERSION } from '../version.js';

export class ScoreCommand extends NucsegCommand {
  static override paths = [['score']];
  static override usage = Command.Usage({
    description: 'Score predicted label images against ground truth (F1 at IoU thresholds, splits, merges)',
    details: `
      Pairs files of \`--gt\` and \`--pred\` by name (a \`.labels\` suffix is ignored, so
      \`nucseg segment\` output scores directly) and prints TP/FP/FN, F1, precision, recall,
      DSB accuracy and panoptic quality per IoU threshold, pooled over the set and as a mean
      over images, plus split and merge counts.
    `,
    examples: [
      ['Score a folder of predictions', 'nucseg score --gt data/labels --pred results/'],
      ['Write JSON, CSV, a plot and error images', 'nucseg score --gt gt/ --pred pred/ --json s.json --csv s.csv --plot f1.svg --errors-dir errors/'],
      ['An HTML report with error images', 'nucseg score --gt gt/ --pred pred/ --report score.html'],
      ['Score at chosen thresholds', 'nucseg score --gt a.tif --pred b.tif --thresholds 0.5,0.7,0.9'],
    ],
  });

  gt = Option.Array('--gt', { required: true, description: 'Ground-truth label file(s), folder(s) or glob(s)' });
  pred = Option.Array('--pred', { required: true, description: 'Predicted label file(s), folder(s) or glob(s)' });
  thresholds = Option.String('--thresholds', { description: 'IoU thresholds: a list "0.5,0.7,0.9" or a range "0.5:0.05:0.95" (default)' });
  matching = Option.String('--matching', 'paper', { description: "'paper' (default: seed-paper definitions at t >= 0.5, optimal one-to-one below) or 'optimal' (one-to-one everywhere)" });
  json = Option.String('--json', { description: "Write the full result as JSON (schema nucseg.score/1); '-': to standard output, instead of the table" });
  csv = Option.String('--csv', { description: "Write one row per image and threshold as CSV; '-': to standard output, instead of the table" });
  plot = Option.String('--plot', { description: "Write an SVG plot of F1 against IoU threshold; '-': to standard output, instead of the table" });
  plotBy = Option.String('--plot-by', 'set', { description: "'set' (pooled and mean lines) or 'images' (one line per image)" });
  report = Option.String('--report', { description: 'Write one self-contained HTML page: F1 vs IoU, per-image F1, the tables, error images (into --errors-dir, or <page>-errors/ beside it)' });
  errorsDir = Option.String('--errors-dir', { description: 'Write a GT-XOR-prediction error PNG per image into this folder' });
  errorsThreshold = Option.String('--errors-threshold', '0.7', { description: 'IoU below which a GT nucleus counts as missed in error images' });
  allowUnpaired = Option.Boolean('--allow-unpaired', false, { description: 'Score the pairs found instead of failing on unpaired files' });
  threads = Option.String('--threads', { description: 'Threads for the overlap kernel (default: all cores)' });
  quiet = Option.Boolean('--quiet', false, { description: 'Print nothing but errors' });

  async run(): Promise<number> {
    const thresholds = this.thresholds ? parseThresholds(this.thresholds) : undefined;
    if (this.matching !== 'paper' && this.matching !== 'optimal') throw new NucsegError(`--matching must be 'paper' or 'optimal', not '${this.matching}'`);
    if (this.plotBy !== 'set' && this.plotBy !== 'images') throw new NucsegError(`--plot-by must be 'set' or 'images', not '${this.plotBy}'`);
    const errT = Number(this.errorsThreshold);
    if (!(errT > 0 && errT <= 1)) throw new NucsegError(`--errors-threshold must be in (0, 1], not '${this.errorsThreshold}'`);
    const threads = this.threads === undefined ? undefined : wholeNumber(this.threads, '--threads', 0);

    for (const [opt, v] of [['--json', this.json], ['--csv', this.csv], ['--plot', this.plot], ['--report', this.report], ['--errors-dir', this.errorsDir]] as const) {
      if (v === '') throw new NucsegError(`${opt} is empty: give a path ('-' is standard output for --json, --csv and --plot)`);
    }
    // '-' is standard output, for one of them (then the table is not printed)
    const piped = (['json', 'csv', 'plot'] as const).filter((k) => this[k] === '-');
    if (piped.length > 1) throw new NucsegError(`only one of ${piped.map((k) => `--${k}`).join(', ')} can be '-' (standard output)`);
    if (this.report) checkHtmlPath(this.report); // before any output is written
    const errorsDir = this.errorsDir ?? (this.report ? `${this.report.replace(/\.html?$/i, '')}-errors` : undefined);
    const errorImages: Record<string, string> = {};
    let progress: ReturnType<typeof createProgress> | undefined;
    const report = await scoreFiles(this.gt, this.pred, {
      thresholds,
      matching: this.matching,
      threads,
      allowUnpaired: this.allowUnpaired,
      onImage: (done, total, r) => {
        progress ??= createProgress('scoring', total, this.quiet ? 'quiet' : 'auto');
        progress.update(done, r.name);
      },
      withImages: errorsDir
        ? (pair, g, p, _r, overlap) => writeErrorImage((errorImages[pair.key] = join(errorsDir, `${pair.key}${OUTPUT_SUFFIXES.errors}`)), g, p, errT, overlap)
        : undefined,
    });
    progress?.stop();

    if (!this.quiet && !piped.length) this.context.stdout.write(formatScoreTable(report) + '\n');
    const unpaired = unpairedNote(report); // the table's note, when standard output carries data instead
    if (!this.quiet && piped.length && unpaired) this.context.stderr.write(`nucseg: ${unpaired}\n`);
    const written: string[] = [];
    // each file's text, to standard output for '-', else written atomically
    const output = async (path: string | undefined, text: () => Promise<string> | string) => {
      if (!path) return;
      const t = await text();
      if (path === '-') this.context.stdout.write(t.endsWith('\n') ? t : `${t}\n`);
      else {
        await writeFileAtomic(path, t);
        written.push(path);
      }
    };
    await output(this.json, () => formatScoreJson(report, { nucseg: VERSION }));
    await output(this.csv, () => formatScoreCsv(report));
    await output(this.plot, () => renderF1Plot(report, { by: this.plotBy as 'set' | 'images' }));
    if (errorsDir) written.push(`${errorsDir}/ (${report.images.length} error images)`);
    if (this.report) {
      await writeScoreReport(this.report, report, errorImages);
      written.push(this.report);
    }
    if (!this.quiet && !piped.length && written.length) this.context.stdout.write(`\nwrote ${written.map((w) => relative('.', w) || w).join(', ')}\n`);
    return 0;
  }
}
