// report.html of an experiment (the workflow's last rule, `nucseg experiment report`): the
// study's views of results.csv — per factor, F1 at 0.7 and 0.9 per test set as mean ± s.d.
// over replicates; F1 against IoU per test set; per-image F1 by strategy; training curves.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsv } from '../util/csv.js';
import type { TopLevelSpec } from 'vega-lite';
import { writeHtmlPage, type Block, type Column } from '../html/page.js';
import { f1CurveSpec, imageF1Spec, keyThresholds, type F1Point } from '../score/html.js';
import { NucsegError } from '../util/errors.js';
import type { WorkflowConfig } from './workflow.js';

type Row = Record<string, string>;

async function readCsv(path: string, required: boolean): Promise<Row[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (required) throw new NucsegError('missing: is this a finished `nucseg experiment run` folder?', { file: path });
    return [];
  }
  return parseCsv(text, path);
}

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(v: readonly number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd };
}

/** F1 of a strategy on a test set at a threshold, over the replicates that have finished (n; NaN when none has). */
function f1Of(rows: Row[], s: string, t: string, iou: number) {
  const f = rows.filter((r) => r.strategy === s && r.test_set === t && Math.abs(Number(r.iou) - iou) < 1e-9).map((r) => Number(r.f1));
  return { ...meanSd(f), n: f.length };
}

/** One table per factor (the baseline and each of the factor's values; every strategy for a grid): F1 at the key thresholds per test set, mean ± s.d. over replicates. */
function factorTables(cfg: WorkflowConfig, rows: Row[], tests: string[], keys: number[], grid: boolean): Block[] {
  const strategies = Object.keys(cfg.strategies);
  const groups: [string, string[]][] = grid || !cfg.factors.length
    ? [['all strategies', strategies]]
    : cfg.factors.map((f) => [f, strategies.filter((s) => s === 'baseline' || cfg.strategies[s].factor === f)]);
  const columns: Column[] = [{ key: 'strategy' }, { key: 'value' }, { key: 'n', label: 'replicates' }];
  for (const t of tests) for (const k of keys) columns.push({ key: `${t}@${k}`, label: `${t} F1@${k}` }, { key: `${t}@${k}_mean`, label: 'mean', digits: 3 });
  return groups.flatMap(([f, ss]): Block[] => [
    { kind: 'heading', text: grid ? 'All strategies' : `Factor: ${f}`, level: 3 },
    {
      kind: 'table', id: `factor-${f.replace(/[^A-Za-z0-9_-]/g, '-')}`,
      columns: columns.filter((c) => !c.key.endsWith('_mean')),
      rows: ss.map((s) => {
        const row: Record<string, unknown> = { strategy: s, value: s === 'baseline' ? '(baseline)' : cfg.strategies[s].value, n: f1Of(rows, s, tests[0], keys[0]).n };
        for (const t of tests)
          for (const k of keys) {
            const m = f1Of(rows, s, t, k);
            row[`${t}@${k}`] = m.n ? `${m.mean.toFixed(3)} ± ${m.sd.toFixed(3)}` : 'not run';
          }
        return row;
      }),
    },
  ]);
}

function trainingCurves(cycles: Row[]): TopLevelSpec {
  const values = cycles.flatMap((c) => [
    { strategy: c.strategy, replicate: c.replicate, cycle: Number(c.cycle), loss: Number(c.train_loss), kind: 'train' },
    ...(c.val_loss === '' ? [] : [{ strategy: c.strategy, replicate: c.replicate, cycle: Number(c.cycle), loss: Number(c.val_loss), kind: 'held-out' }]),
  ]).filter((v) => v.loss > 0);
  return {
    title: 'Training loss per cycle',
    data: { name: 'cycles', values },
    width: 420,
    height: 260,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'cycle', type: 'quantitative', title: 'cycle', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { type: 'log' } },
      color: { field: 'strategy', type: 'nominal' },
      strokeDash: { field: 'kind', type: 'nominal', title: 'loss' },
      detail: { field: 'replicate', type: 'nominal' },
      tooltip: [{ field: 'strategy' }, { field: 'replicate' }, { field: 'cycle' }, { field: 'kind' }, { field: 'loss', format: '.5f' }],
    },
  } as TopLevelSpec;
}

/**
 * Writes `<dir>/report.html` for the finished experiment in `dir` (config.json, results.csv,
 * results/images.csv, results/cycles.csv, run.json) and returns its path.
 *
 * @example
 * ```ts
 * import { runExperiment, writeExperimentReport } from 'nucseg';
 * await runExperiment('experiments/smoke.yaml', { out: 'exp', cores: 2 }); // its last rule writes exp/report.html
 * await writeExperimentReport('exp'); // again, by hand
 * ```
 */
export async function writeExperimentReport(dir: string): Promise<string> {
  let cfg: WorkflowConfig;
  try {
    cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as WorkflowConfig;
  } catch {
    throw new NucsegError('no readable config.json: is this a `nucseg experiment run` folder?', { file: dir });
  }
  if (!cfg || typeof cfg !== 'object' || !cfg.strategies || !cfg.tests || !Array.isArray(cfg.replicates)) throw new NucsegError('config.json is not the config of a `nucseg experiment run` workflow', { file: join(dir, 'config.json') });
  cfg.factors ??= [];
  const rows = await readCsv(join(dir, 'results.csv'), true);
  if (!rows.length) throw new NucsegError('no scores yet: the experiment has not finished (run it again to resume)', { file: join(dir, 'results.csv') });
  const images = await readCsv(join(dir, 'results', 'images.csv'), false);
  const cycles = await readCsv(join(dir, 'results', 'cycles.csv'), false);
  let run: { versions?: Record<string, string> } = {};
  try {
    run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
  } catch {
    /* no run record (snakemake run by hand): versions unknown */
  }
  const tests = Object.keys(cfg.tests);
  const ious = [...new Set(rows.map((r) => Number(r.iou)))].sort((a, b) => a - b);
  const keys = keyThresholds(ious);
  const strategies = Object.keys(cfg.strategies);
  const curve: F1Point[] = strategies.flatMap((s) => tests.flatMap((t) => ious.map((u) => ({ series: s, t: u, f1: f1Of(rows, s, t, u).mean, facet: t })))).filter((p) => Number.isFinite(p.f1));
  const dots = images.filter((r) => keys.some((k) => Math.abs(Number(r.iou) - k) < 1e-9)).map((r) => ({ series: r.strategy, image: `${r.test_set}/${r.image} (r${r.replicate})`, t: Number(r.iou), f1: Number(r.f1) }));
  const grid = cfg.design === 'grid';
  const blocks: Block[] = [
    { kind: 'text', text: `${strategies.length} training strategies × ${cfg.replicates.length} replicate(s) (seeds ${cfg.replicates.join(', ')}), scored on ${tests.join(', ')} at IoU ${ious.join(', ')}. Plan ${cfg.plan} (sha256 ${cfg.plan_sha256.slice(0, 12)}…); nucseg ${run.versions?.nucseg ?? '?'}, Snakemake ${run.versions?.snakemake ?? '?'}.` },
    { kind: 'heading', text: 'F1 per factor (mean ± s.d. over replicates)' },
    ...factorTables(cfg, rows, tests, keys, grid),
    { kind: 'heading', text: 'F1 against IoU threshold, per test set (mean over replicates)' },
    { kind: 'chart', id: 'f1-curves', spec: f1CurveSpec(curve, 'F1 vs IoU threshold') },
    ...(dots.length ? [{ kind: 'heading' as const, text: 'F1 per image, by strategy' }, { kind: 'chart' as const, id: 'image-f1', spec: imageF1Spec(dots, 'F1 per image (every replicate)') }] : []),
    ...(cycles.length ? [{ kind: 'heading' as const, text: 'Training curves' }, { kind: 'chart' as const, id: 'training', spec: trainingCurves(cycles) }] : []),
    { kind: 'heading', text: 'Strategies' },
    {
      kind: 'table', id: 'strategies', columns: [{ key: 'strategy' }, { key: 'factor' }, { key: 'value' }, { key: 'recipe' }, { key: 'train_s', label: 'train time (s, mean)', digits: 1 }],
      rows: strategies.map((s) => ({ strategy: s, factor: cfg.strategies[s].factor, value: cfg.strategies[s].value, recipe: JSON.stringify(cfg.strategies[s].recipe), train_s: meanSd(rows.filter((r) => r.strategy === s).map((r) => Number(r.train_s))).mean })),
    },
  ];
  const file = join(dir, 'report.html');
  await writeHtmlPage(file, `nucseg experiment — ${cfg.plan.split('/').pop()}`, blocks);
  return file;
}
