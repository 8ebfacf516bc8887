import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { NucsegError } from '../util/errors.js';
import { PLAN_SCHEMA, RECIPE_KEYS, type Recipe } from './schema.js';

export type { Recipe } from './schema.js';

/** A dataset of the plan: a folder of images/ and labels/ with matching names. */
export interface Dataset {
  name: string;
  /** Absolute folder. */
  path: string;
  role: 'train' | 'test' | 'both';
  /** Absolute files in images/ and labels/ (the workflow's inputs: a changed field reruns what uses it). */
  images: string[];
  labels: string[];
  /** Whether include/exclude picked some of the folder's files (the workflow then copies them into data/<name>/). */
  subset: boolean;
}

/** A validated experiment plan (schema in lib/experiment/schema.ts, documented in docs/experiment.md). */
export interface Plan {
  /** The plan file (absolute) and the sha256 of its bytes. */
  file: string;
  sha256: string;
  name: string;
  datasets: Record<string, Dataset>;
  baseline: Recipe;
  design: 'one_at_a_time' | 'grid';
  /** Factor → the values it takes (recipe keys only). */
  factors: Partial<{ [K in keyof Recipe]: Recipe[K][] }>;
  /** Training seeds, one replicate each. */
  seeds: number[];
  testSets: string[];
  iou: number[];
  python?: string;
  /** Where train and segment run (`--device`; default cpu). Not a parameter of the jobs: changing it reruns nothing. */
  device: 'cpu' | 'auto' | 'cuda';
}

type Validator = ((d: unknown) => boolean) & { errors?: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] };
let validator: Promise<Validator> | undefined;

function planValidator(): Promise<Validator> {
  validator ??= (async () => {
    const Ajv = (await import('ajv')).default as unknown as new (o: object) => { compile(s: object): Validator };
    return new Ajv({ allErrors: false, strict: false }).compile(PLAN_SCHEMA);
  })();
  return validator;
}

/** One Ajv error as `key.path: reason` (the key dotted, as a user reads the YAML). */
function describeError(e: NonNullable<Validator['errors']>[number]): string {
  const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    const extra = String(e.params.additionalProperty);
    const where = key ? `${key}.${extra}` : extra;
    if (key === 'factors' || key === 'baseline') return `${where}: unknown ${key === 'factors' ? 'factor' : 'recipe key'} (known: ${RECIPE_KEYS.filter((k) => key !== 'factors' || k !== 'seed').join(', ')})`;
    return `${where}: unknown key`;
  }
  if (e.keyword === 'required') return `${key ? key + '.' : ''}${String(e.params.missingProperty)}: is required`;
  if (e.keyword === 'enum') return `${key}: ${e.message} (${(e.params.allowedValues as unknown[]).join(', ')})`;
  return `${key || '(root)'}: ${e.message}`;
}

/**
 * Which files of a dataset folder to use: file names matching an `include` pattern (all when
 * none) and no `exclude` pattern (globs: picomatch, on the file name without its folder; a
 * pattern without an extension also matches the name with any extension).
 */
function selector(include?: string[], exclude?: string[]): (file: string) => boolean {
  const matcher = (globs: string[]) => {
    const m = picomatch(globs.flatMap((g) => (/\.[A-Za-z0-9]+$/.test(g) ? [g] : [g, `${g}.*`])));
    return (f: string) => m(basename(f));
  };
  const inc = include ? matcher(include) : () => true, exc = exclude ? matcher(exclude) : () => false;
  return (f) => inc(f) && !exc(f);
}

async function listFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => null);
  if (!names) return [];
  return names.filter((n) => !n.startsWith('.') && /\.(tiff?|png)$/i.test(n)).sort().map((n) => resolve(dir, n));
}

/**
 * Reads, validates and resolves an experiment plan (YAML or JSON). Every error is one line
 * naming the file and the key: an unknown key or factor, a missing dataset folder, ROIs ≤ 0,
 * a set used for training without the train role, …
 *
 * @example
 * ```ts
 * import { loadPlan } from 'nucseg';
 * const plan = await loadPlan('examples/experiment/plan.yaml');
 * console.log(plan.baseline.cycles, Object.keys(plan.factors), plan.seeds); // 1 [ 'init', 'augmentation' ] [ 0 ]
 * ```
 */
export async function loadPlan(path: string): Promise<Plan> {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new NucsegError(`cannot read plan (${(e as NodeJS.ErrnoException).code})`, { file: path });
  }
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(bytes.toString('utf8')) : parseYaml(bytes.toString('utf8'));
  } catch (e) {
    throw new NucsegError(`invalid plan: ${(e as Error).message.split('\n')[0]}`, { file: path });
  }
  const validate = await planValidator();
  if (!validate(raw)) throw new NucsegError(describeError(validate.errors![0]), { file: path });
  const p = raw as {
    name?: string;
    datasets: Record<string, { path: string; role?: Dataset['role']; include?: string[]; exclude?: string[] }>;
    baseline: Partial<Recipe> & { sets: string[] };
    design?: Plan['design'];
    factors?: Plan['factors'];
    replicates?: number | number[];
    test_sets?: string[];
    iou?: number[];
    python?: string;
    device?: Plan['device'];
  };
  const bad = (key: string, why: string): never => {
    throw new NucsegError(`${key}: ${why}`, { file: path });
  };
  const base = dirname(file);
  const datasets: Record<string, Dataset> = {};
  for (const [name, d] of Object.entries(p.datasets)) {
    const dir = isAbsolute(d.path) ? d.path : resolve(base, d.path);
    for (const sub of ['images', 'labels']) {
      const s = await stat(resolve(dir, sub)).catch(() => null);
      if (!s?.isDirectory()) bad(`datasets.${name}.path`, `${dir} has no ${sub}/ folder`);
    }
    const pick = selector(d.include, d.exclude);
    const images = (await listFiles(resolve(dir, 'images'))).filter(pick);
    const labels = (await listFiles(resolve(dir, 'labels'))).filter(pick);
    if (images.length === 0) bad(`datasets.${name}.path`, `${dir}/images has no TIFF or PNG files${d.include || d.exclude ? ' that include/exclude keep' : ''}`);
    datasets[name] = { name, path: dir, role: d.role ?? 'both', images, labels, subset: !!(d.include || d.exclude) };
  }
  const baseline: Recipe = {
    arch: 'fpn2ws', init: 'random', cycles: 5, rois: 35000, roi_size: 256, batch: 16,
    augmentation: 'full', encoder: 'resnet18', seed: 0, augment_seed: 0, ...p.baseline,
  } as Recipe;
  const factors = p.factors ?? {};
  const checkSets = (key: string, sets: string[]) => {
    for (const s of sets) {
      if (!datasets[s]) bad(key, `unknown dataset '${s}' (datasets: ${Object.keys(datasets).join(', ')})`);
      if (datasets[s].role === 'test') bad(key, `dataset '${s}' has role test, not train`);
    }
  };
  checkSets('baseline.sets', baseline.sets);
  factors.sets?.forEach((v, i) => checkSets(`factors.sets[${i}]`, v));
  const checkInit = (key: string, init: string): string => {
    if (!/\.onnx$/i.test(init)) return init;
    const model = isAbsolute(init) ? init : resolve(base, init);
    if (!existsSync(model)) bad(key, `no such model ${model}`);
    return model;
  };
  const checkAugmentation = (key: string, a: string): string => {
    if (!/\.(ya?ml|json)$/i.test(a)) return a;
    const cfg = isAbsolute(a) ? a : resolve(base, a);
    if (!existsSync(cfg)) bad(key, `no such augmentation config ${cfg}`);
    return cfg;
  };
  baseline.augmentation = checkAugmentation('baseline.augmentation', baseline.augmentation);
  if (factors.augmentation) factors.augmentation = factors.augmentation.map((v, i) => checkAugmentation(`factors.augmentation[${i}]`, v));
  baseline.init = checkInit('baseline.init', baseline.init);
  if (factors.init) factors.init = factors.init.map((v, i) => checkInit(`factors.init[${i}]`, v));
  const testSets = p.test_sets ?? Object.values(datasets).filter((d) => d.role !== 'train').map((d) => d.name);
  if (testSets.length === 0) bad('test_sets', 'no test set (give test_sets or a dataset with role test)');
  for (const t of testSets) {
    if (!datasets[t]) bad('test_sets', `unknown dataset '${t}'`);
    if (datasets[t].role === 'train') bad('test_sets', `dataset '${t}' has role train, not test`);
    if (datasets[t].labels.length === 0) bad(`datasets.${t}.path`, `${datasets[t].path}/labels has no label files to score against`);
  }
  const r = p.replicates ?? 1;
  const seeds = Array.isArray(r) ? r : Array.from({ length: r }, (_, i) => baseline.seed + i);
  if (new Set(seeds).size !== seeds.length) bad('replicates', 'seeds must be distinct');
  return {
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    name: p.name ?? 'experiment',
    datasets,
    baseline,
    design: p.design ?? 'one_at_a_time',
    factors,
    seeds,
    testSets,
    iou: p.iou ?? [0.5, 0.7, 0.9],
    python: p.python,
    device: p.device ?? 'cpu',
  };
}
