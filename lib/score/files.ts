import { relative } from 'node:path';
import { stat } from 'node:fs/promises';
import { findImages, pairFiles, pairingKey, type FilePair } from '../image/discover.js';
import { readLabels } from '../image/read.js';
import type { LabelImage } from '../image/types.js';
import { labelOverlap, type LabelOverlap } from '../kernels/overlap.js';
import { NucsegError } from '../util/errors.js';
import { checkThresholds, DEFAULT_THRESHOLDS, scoreOverlap, summarizeSet, type ScoreOptions, type ScoreResult, type SetScore } from './metrics.js';
import type { MatchingRule } from './match.js';

export const SCORE_SCHEMA = 'nucseg.score/1';

/** One image's entry in a set score. */
export interface ImageScore extends ScoreResult {
  /** Pairing key (file name without extension and `.labels`). */
  name: string;
  gt: string;
  pred: string;
  width: number;
  height: number;
}

/** What scoreFiles returns and `nucseg score --json` writes (schema nucseg.score/1). */
export interface SetScoreReport extends SetScore {
  schema: typeof SCORE_SCHEMA;
  thresholds: number[];
  settings: { matching: MatchingRule; splitMergeIoU: number };
  images: ImageScore[];
  unpaired: { gt: string[]; pred: string[] };
}

export interface ScoreFilesOptions extends ScoreOptions {
  /** Score the pairs found and list the rest instead of failing. */
  allowUnpaired?: boolean;
  /** Called after each image (for progress). */
  onImage?: (done: number, total: number, result: ImageScore) => void;
  /** Called with both label images of each pair and their overlap table (for error images); may be async. */
  withImages?: (pair: FilePair, gt: LabelImage, pred: LabelImage, result: ImageScore, overlap: LabelOverlap) => void | Promise<void>;
}

/**
 * Scores every prediction against its ground truth. `gt` and `pred` are files, folders or
 * globs; files pair by name (see pairingKey). Unpaired files fail the call unless
 * `allowUnpaired`. Returns per-image scores and the set summarized both pooled and as a
 * per-image mean.
 *
 * @example
 * ```ts
 * import { scoreFiles } from 'nucseg';
 * const report = await scoreFiles('examples/gt', 'examples/pred', { thresholds: [0.5, 0.7, 0.9] });
 * console.log(report.pooled.f1, report.images.map((im) => im.name)); // [dsb-4bf6a5ec, dsb-c53326fe, dsb-d35f25c8]
 * ```
 */
export async function scoreFiles(gt: string | readonly string[], pred: string | readonly string[], opts: ScoreFilesOptions = {}): Promise<SetScoreReport> {
  const thresholds = checkThresholds(opts.thresholds ?? DEFAULT_THRESHOLDS);
  const [gtFiles, predFiles] = await Promise.all([findImages(gt), findImages(pred)]);
  if (gtFiles.length === 0) throw new NucsegError(`no ground-truth images found in ${[gt].flat().join(', ')}`);
  if (predFiles.length === 0) throw new NucsegError(`no predicted label images found in ${[pred].flat().join(', ')}`);
  // Two single files pair whatever their names; otherwise files pair by name.
  const single = async (x: string | readonly string[]) => [x].flat().length === 1 && (await stat([x].flat()[0]).catch(() => undefined))?.isFile();
  const { pairs, unpairedGt, unpairedPred } =
    gtFiles.length === 1 && predFiles.length === 1 && (await single(gt)) && (await single(pred))
      ? { pairs: [{ key: pairingKey(predFiles[0]), gt: gtFiles[0], pred: predFiles[0] }], unpairedGt: [], unpairedPred: [] }
      : pairFiles(gtFiles, predFiles);
  if ((unpairedGt.length || unpairedPred.length) && !opts.allowUnpaired) {
    const list = [...unpairedGt.map((f) => `  ground truth without prediction: ${relative('.', f)}`), ...unpairedPred.map((f) => `  prediction without ground truth: ${relative('.', f)}`)];
    throw new NucsegError(`${unpairedGt.length + unpairedPred.length} file(s) have no partner (use --allow-unpaired to score the rest):\n${list.slice(0, 50).join('\n')}${list.length > 50 ? `\n  … and ${list.length - 50} more` : ''}`);
  }
  if (pairs.length === 0) throw new NucsegError('no ground-truth/prediction pairs: file names do not match');

  const images: (ImageScore & { counts: ReturnType<typeof scoreOverlap>['counts'] })[] = [];
  for (const pair of pairs) {
    const [g, p] = await Promise.all([readLabels(pair.gt), readLabels(pair.pred)]);
    if (g.width !== p.width || g.height !== p.height) {
      throw new NucsegError(`size ${p.width}x${p.height} differs from its ground truth ${relative('.', pair.gt)} (${g.width}x${g.height})`, { file: pair.pred });
    }
    const overlap = labelOverlap(g, p, { threads: opts.threads });
    const r = scoreOverlap(overlap, { ...opts, thresholds });
    const entry = { name: pair.key, gt: pair.gt, pred: pair.pred, width: g.width, height: g.height, ...r };
    images.push(entry);
    const { counts: _c, ...pub } = entry;
    if (opts.withImages) await opts.withImages(pair, g, p, pub, overlap);
    opts.onImage?.(images.length, pairs.length, pub);
  }
  const set = summarizeSet(thresholds, images);
  return {
    schema: SCORE_SCHEMA,
    thresholds,
    settings: { matching: opts.matching ?? 'paper', splitMergeIoU: 0.1 },
    pooled: set.pooled,
    mean: set.mean,
    images: images.map(({ counts: _c, ...rest }) => rest),
    unpaired: { gt: unpairedGt, pred: unpairedPred },
  };
}
