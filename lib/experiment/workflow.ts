import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { packagePath } from '../util/package.js';
import type { Plan } from './plan.js';
import { SNAKEFILE } from './snakefile.js';
import { augmentOptions, datasetFolder, slug, strategies } from './strategies.js';

/** What the Snakefile reads (`config.json` in the experiment folder). */
export interface WorkflowConfig {
  plan: string;
  plan_sha256: string;
  /** The nucseg CLI as argv: node and bin/nucseg.js of this installation. */
  nucseg: string[];
  augment: Record<string, { args: string[]; inputs: string[] }>;
  strategies: Record<string, { augment: string; train_args: string[]; inputs: string[]; factor: string; value: string; changed: Record<string, unknown>; recipe: Record<string, unknown> }>;
  replicates: number[];
  tests: Record<string, { images: string; labels: string; inputs: string[] }>;
  iou: number[];
  /** The plan's factors (recipe keys), a column each in results.csv, and its design. */
  factors: string[];
  design: Plan['design'];
  /** train and segment --device. */
  device: string;
}

/**
 * The Snakemake config of a plan: every augmented set (by cache key) with its
 * `nucseg augment` arguments, every strategy with its `nucseg train` arguments, the
 * replicate seeds, the test sets and the IoU thresholds. Pure: no file is touched.
 *
 * @example
 * ```ts
 * import { loadPlan, workflowConfig } from 'nucseg';
 * const cfg = workflowConfig(await loadPlan('examples/experiment/plan.yaml'));
 * console.log(Object.keys(cfg.augment).length, Object.keys(cfg.strategies)); // 2 [ 'baseline', 'init-random', 'augmentation-none' ]
 * ```
 */
export function workflowConfig(plan: Plan, nucseg: string[] = [process.execPath, packagePath('bin', 'nucseg.js')]): WorkflowConfig {
  const augment: WorkflowConfig['augment'] = {};
  const strats: WorkflowConfig['strategies'] = {};
  for (const s of strategies(plan)) {
    const r = s.recipe;
    if (!augment[s.augment]) {
      const o = augmentOptions(plan, r);
      augment[s.augment] = {
        args: [...o.sets.flatMap(([name, dir]) => ['--set', `${name}=${dir}`]), '--rois', String(o.rois), '--roi-size', String(o.roi_size), ...(o.config ? ['--config', o.config] : ['--preset', o.preset!]), '--seed', String(o.seed)],
        inputs: [...r.sets.flatMap((n) => [...plan.datasets[n].images, ...plan.datasets[n].labels]), ...(o.config ? [o.config] : [])],
      };
    }
    const args = ['--arch', r.arch, '--init', r.init, '--cycles', String(r.cycles), '--batch', String(r.batch), '--encoder', r.encoder];
    if (plan.python) args.push('--python', plan.python);
    strats[s.name] = { augment: s.augment, train_args: args, inputs: /\.onnx$/i.test(r.init) ? [r.init] : [], factor: Object.keys(s.changed).join('+') || 'baseline', value: Object.values(s.changed).map(slug).join('+') || '-', changed: s.changed, recipe: { ...r } };
  }
  const tests: WorkflowConfig['tests'] = {};
  for (const t of plan.testSets) {
    const d = plan.datasets[t];
    tests[t] = { images: join(datasetFolder(d), 'images'), labels: join(datasetFolder(d), 'labels'), inputs: [...d.images, ...d.labels] };
  }
  return { plan: plan.file, plan_sha256: plan.sha256, nucseg, augment, strategies: strats, replicates: plan.seeds, tests, iou: plan.iou, factors: Object.keys(plan.factors), design: plan.design, device: plan.device };
}

/**
 * Writes `Snakefile` and `config.json` into `out` (atomically; creates the folder). A user
 * can then run `snakemake --cores N` there.
 *
 * @example
 * ```ts
 * import { loadPlan, writeWorkflow } from 'nucseg';
 * await writeWorkflow(await loadPlan('examples/experiment/plan.yaml'), 'exp');   // exp/Snakefile, exp/config.json
 * ```
 */
export async function writeWorkflow(plan: Plan, out: string, nucseg?: string[]): Promise<WorkflowConfig> {
  const config = workflowConfig(plan, nucseg);
  await linkSubsets(plan, out);
  await writeFileAtomic(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  await writeFileAtomic(join(out, 'Snakefile'), SNAKEFILE);
  return config;
}

/**
 * Copies the files that include/exclude picked of each such dataset into `<out>/data/<name>/`
 * (images/ and labels/; copies, not links: augment reads regular files only), with their
 * times, replacing what an earlier plan put there.
 */
async function linkSubsets(plan: Plan, out: string): Promise<void> {
  for (const d of Object.values(plan.datasets)) {
    if (!d.subset) continue;
    const root = join(out, 'data', d.name);
    await rm(root, { recursive: true, force: true });
    for (const [sub, files] of [['images', d.images], ['labels', d.labels]] as const) {
      await mkdir(join(root, sub), { recursive: true });
      for (const f of files) await cp(f, join(root, sub, basename(f)), { preserveTimestamps: true });
    }
  }
}
