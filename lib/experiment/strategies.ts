import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { NucsegError } from '../util/errors.js';
import type { Dataset, Plan, Recipe } from './plan.js';
import { RECIPE_KEYS } from './schema.js';

/** One training strategy: the baseline recipe with some factors changed. */
export interface Strategy {
  /** File-safe name: `baseline`, `cycles-2`, or `cycles-2_augmentation-none` in a grid. */
  name: string;
  recipe: Recipe;
  /** The factors whose value differs from the baseline (empty for the baseline). */
  changed: Partial<Recipe>;
  /** Key of the augmented set it trains on (see augmentKey). */
  augment: string;
}

/**
 * A factor value as a short file-safe word (a model or config path gives its file name
 * without extension, a list of sets joins them with +).
 *
 * @example
 * ```ts
 * import { slug } from 'nucseg';
 * slug('models/mine.onnx'); // 'mine'
 * slug(['u2os', 'hela']);   // 'u2os+hela'
 * ```
 */
export function slug(v: unknown): string {
  if (Array.isArray(v)) return v.map(slug).join('+');
  const s = typeof v === 'string' && /\.(onnx|ya?ml|json)$/i.test(v) ? basename(v).replace(/\.[^.]+$/, '') : String(v);
  return s.replace(/[^A-Za-z0-9_.+-]+/g, '-');
}

/**
 * The options that make an augmented set: only these name its file, so strategies that
 * differ elsewhere share it.
 *
 * @example
 * ```ts
 * import { augmentOptions, loadPlan } from 'nucseg';
 * const plan = await loadPlan('examples/experiment/plan.yaml');
 * augmentOptions(plan, plan.baseline); // { sets: [['u2os', '/…/bbbc039-small']], rois: 24, roi_size: 64, preset: 'full', seed: 0 }
 * ```
 */
export function augmentOptions(plan: Plan, r: Recipe): { sets: string[][]; rois: number; roi_size: number; preset?: string; config?: string; config_sha256?: string; files?: string[][]; seed: number } {
  const sets = r.sets.map((s) => [s, datasetFolder(plan.datasets[s])]);
  const subsets = r.sets.filter((s) => plan.datasets[s].subset).map((s) => plan.datasets[s].images.map((f) => basename(f)));
  const files = subsets.length ? { files: subsets } : {};
  if (!/\.(ya?ml|json)$/i.test(r.augmentation)) return { sets, rois: r.rois, roi_size: r.roi_size, preset: r.augmentation, ...files, seed: r.augment_seed };
  // a config file: its bytes name the set, so editing the file rebuilds it
  const config_sha256 = createHash('sha256').update(readFileSync(r.augmentation)).digest('hex');
  return { sets, rois: r.rois, roi_size: r.roi_size, config: r.augmentation, config_sha256, ...files, seed: r.augment_seed };
}

/**
 * The folder a dataset is read from by the workflow: its own folder, or `data/<name>` in the
 * experiment folder (relative: Snakemake runs there) when include/exclude picked some of its
 * files, which writeWorkflow copies there.
 */
export function datasetFolder(d: Dataset): string {
  return d.subset ? `data/${d.name}` : d.path;
}

/**
 * The cache key of a recipe's augmented set: 16 hex digits of the sha256 of the options that
 * affect it (sets and their folders, ROIs, ROI size, preset, augment seed).
 *
 * @example
 * ```ts
 * import { augmentKey, loadPlan } from 'nucseg';
 * const plan = await loadPlan('examples/experiment/plan.yaml');
 * augmentKey(plan, { ...plan.baseline, cycles: 3 }) === augmentKey(plan, plan.baseline); // true: cycles do not change the set
 * ```
 */
export function augmentKey(plan: Plan, r: Recipe): string {
  return createHash('sha256').update(JSON.stringify(augmentOptions(plan, r))).digest('hex').slice(0, 16);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The strategies a plan trains. `one_at_a_time`: the baseline, then each factor value that
 * differs from it, alone. `grid`: every combination of the factors' values (factors not
 * listed keep the baseline value). Names are unique and file-safe.
 *
 * @example
 * ```ts
 * import { loadPlan, strategies } from 'nucseg';
 * const plan = await loadPlan('examples/experiment/plan.yaml');
 * console.log(strategies(plan).map((s) => s.name)); // [ 'baseline', 'init-random', 'augmentation-none' ]
 * ```
 */
export function strategies(plan: Plan): Strategy[] {
  const base = plan.baseline;
  const factors = RECIPE_KEYS.filter((k) => plan.factors[k]).map((k) => [k, plan.factors[k] as unknown[]] as const);
  let combos: Partial<Recipe>[];
  if (plan.design === 'grid') {
    combos = [{}];
    for (const [k, values] of factors) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  } else {
    combos = [{}];
    for (const [k, values] of factors) for (const v of values) combos.push({ [k]: v });
  }
  const out: Strategy[] = [];
  const seen = new Map<string, string>();
  for (const c of combos) {
    const recipe = { ...base, ...c } as Recipe;
    const changed = Object.fromEntries(Object.entries(c).filter(([k, v]) => !same(v, base[k as keyof Recipe]))) as Partial<Recipe>;
    const name = Object.keys(changed).length ? Object.entries(changed).map(([k, v]) => `${k}-${slug(v)}`).join('_') : 'baseline';
    const id = JSON.stringify(recipe);
    if (seen.has(name)) {
      if (seen.get(name) === id) continue; // the same strategy twice (e.g. a factor value equal to the baseline)
      throw new NucsegError(`factors: two strategies would both be named '${name}'; make the values distinct`, { file: plan.file });
    }
    seen.set(name, id);
    out.push({ name, recipe, changed, augment: augmentKey(plan, recipe) });
  }
  return out;
}
