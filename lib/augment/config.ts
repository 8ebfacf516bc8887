import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { NucsegError } from '../util/errors.js';

/**
 * Augmentation settings (JSON or YAML file; every field optional). Ranges are [min, max].
 * The defaults follow the seed paper's pipeline: bootstrapped ROIs from fields scaled by
 * 1/3 … 2, one geometric transform per ROI always, then contrast, blur and noise each with
 * its own probability.
 */
export interface AugmentConfig {
  /** ROI edge length in pixels (default 256). */
  roi: number;
  /** Extra context around each ROI for the targets of nuclei cut by its edge (default 8). */
  shoulder: number;
  /** Scale factors applied to every field before sampling (default 0.333, 0.667, 1, 1.333, 2). */
  scales: number[];
  /** Rotations by multiples of 45° (default) or only 90°; random flips. */
  rotate45: boolean;
  flips: boolean;
  /** Probability of each intensity class per ROI. */
  pContrast: number;
  pBlur: number;
  pNoise: number;
  /** Weights of the ops inside each class (0 disables an op). */
  wClahe: number;
  wGamma: number;
  wSaturation: number;
  wMultiply: number;
  wGaussian: number;
  wMedian: number;
  wGaussNoise: number;
  wPoisson: number;
  wImpulse: number;
  wDropout: number;
  claheClip: [number, number];
  claheTiles: [number, number];
  gamma: [number, number];
  /** Upper percentile clipped to 1 (saturation). */
  saturation: [number, number];
  multiply: [number, number];
  gaussianSigma: [number, number];
  medianK: [number, number];
  gaussNoiseSigma: [number, number];
  /** Photons at intensity 1 for Poisson noise. */
  poissonPeak: [number, number];
  impulseFraction: [number, number];
  dropoutFraction: [number, number];
  /** Fraction of ROIs for validation (default 0.2). */
  valFraction: number;
}

/**
 * One setting: its default, what it may take, and the field of the native `AugmentConfig`
 * (native/include/nucseg/augment.hpp) it fills, read in native/napi/augment.cpp (`null`:
 * used in TypeScript only). The one list of augment settings: DEFAULT_CONFIG and
 * validateConfig are derived from it, and test/augment/config-schema.test.ts fails when the
 * C++ struct or its reader differ from it (a field, its type or its default).
 * Kinds (the native type): 'int' a whole number in [lo, hi] (int); 'bool' (bool); 'weight'
 * an op's weight, 0 disables it (double); 'prob' a probability in [0, 1] (double);
 * 'range' [min, max] within [lo, hi] (double[2], or int[2] when `whole`); 'scales' a
 * non-empty list of factors in (lo, hi].
 */
export type AugmentSetting<T> = { default: T; native: string | null } & (
  | { kind: 'int'; lo: number; hi: number }
  | { kind: 'bool' }
  | { kind: 'weight' }
  | { kind: 'prob'; /** also < 1 */ below1?: boolean }
  | { kind: 'range'; lo: number; hi: number; whole?: boolean }
  | { kind: 'scales'; lo: number; hi: number }
);

/**
 * Every augment setting, in DEFAULT_CONFIG's order. The [lo, hi] of the ranges bound what
 * the native code accepts (it converts some to integers or sizes kernels by them: unbounded
 * values were undefined behaviour or a crash, e.g. gaussianSigma 1e300 — fuzz findings).
 * Its keys are exactly AugmentConfig's (tsc fails on a setting missing from either).
 */
type Settings = { readonly [K in keyof AugmentConfig]: Readonly<AugmentSetting<AugmentConfig[K]>> };

export const AUGMENT_SETTINGS: Settings = Object.freeze<Settings>({
  roi: { kind: 'int', default: 256, lo: 16, hi: 2048, native: 'roi' },
  shoulder: { kind: 'int', default: 8, lo: 0, hi: 128, native: 'shoulder' },
  scales: { kind: 'scales', default: [0.333, 0.667, 1, 1.333, 2], lo: 0.05, hi: 8, native: null },
  rotate45: { kind: 'bool', default: true, native: 'rotate45' },
  flips: { kind: 'bool', default: true, native: 'flips' },
  pContrast: { kind: 'prob', default: 0.5, native: 'p_contrast' },
  pBlur: { kind: 'prob', default: 0.3, native: 'p_blur' },
  pNoise: { kind: 'prob', default: 0.3, native: 'p_noise' },
  wClahe: { kind: 'weight', default: 1, native: 'w_clahe' },
  wGamma: { kind: 'weight', default: 1, native: 'w_gamma' },
  wSaturation: { kind: 'weight', default: 1, native: 'w_saturation' },
  wMultiply: { kind: 'weight', default: 1, native: 'w_multiply' },
  wGaussian: { kind: 'weight', default: 1, native: 'w_gaussian' },
  wMedian: { kind: 'weight', default: 1, native: 'w_median' },
  wGaussNoise: { kind: 'weight', default: 1, native: 'w_gauss_noise' },
  wPoisson: { kind: 'weight', default: 1, native: 'w_poisson' },
  wImpulse: { kind: 'weight', default: 1, native: 'w_impulse' },
  wDropout: { kind: 'weight', default: 1, native: 'w_dropout' },
  claheClip: { kind: 'range', default: [1, 4], lo: 0, hi: 100, native: 'clahe_clip' },
  claheTiles: { kind: 'range', default: [4, 12], lo: 1, hi: 64, whole: true, native: 'clahe_tiles' },
  gamma: { kind: 'range', default: [0.6, 1.6], lo: 0.05, hi: 20, native: 'gamma' },
  saturation: { kind: 'range', default: [95, 99.9], lo: 50, hi: 100, native: 'saturation' },
  multiply: { kind: 'range', default: [0.6, 1.4], lo: 0, hi: 20, native: 'multiply' },
  gaussianSigma: { kind: 'range', default: [0.5, 2], lo: 0, hi: 20, native: 'gaussian_sigma' },
  medianK: { kind: 'range', default: [3, 5], lo: 1, hi: 7, whole: true, native: 'median_k' },
  gaussNoiseSigma: { kind: 'range', default: [0.01, 0.08], lo: 0, hi: 1, native: 'gauss_noise_sigma' },
  poissonPeak: { kind: 'range', default: [20, 200], lo: 1, hi: 1e6, native: 'poisson_peak' },
  impulseFraction: { kind: 'range', default: [0.001, 0.02], lo: 0, hi: 1, native: 'impulse_fraction' },
  dropoutFraction: { kind: 'range', default: [0.01, 0.1], lo: 0, hi: 1, native: 'dropout_fraction' },
  valFraction: { kind: 'prob', default: 0.2, below1: true, native: null },
});

type Entry = [keyof AugmentConfig, Readonly<AugmentSetting<unknown>>];
const ENTRIES = Object.entries(AUGMENT_SETTINGS) as Entry[];

export const DEFAULT_CONFIG: Readonly<AugmentConfig> = Object.freeze(
  Object.fromEntries(ENTRIES.map(([k, s]) => [k, structuredClone(s.default)])),
) as unknown as AugmentConfig;

/** The seed paper's ablations: each `min-*` preset drops one class of augmentation. */
export const PRESETS: Readonly<Record<string, Partial<AugmentConfig>>> = Object.freeze({
  full: {},
  none: { pContrast: 0, pBlur: 0, pNoise: 0, scales: [1] },
  'min-blur': { pBlur: 0 },
  'min-contrast': { pContrast: 0 },
  'min-noise': { pNoise: 0 },
  'min-scaling': { scales: [1] },
});

/** Checks a full config, naming the first bad field (whole numbers, then lists, then
 * probabilities, then ranges, each in AUGMENT_SETTINGS' order). Weights are not checked. */
export function validateConfig(c: AugmentConfig, source = 'config'): AugmentConfig {
  const bad = (k: string, why: string): never => {
    throw new NucsegError(`${source}: ${k} ${why}`);
  };
  for (const k of Object.keys(c)) if (!(k in DEFAULT_CONFIG)) bad(k, 'is not a known setting');
  const of = <K extends AugmentSetting<unknown>['kind']>(kind: K) => ENTRIES.filter((e): e is [keyof AugmentConfig, Extract<AugmentSetting<unknown>, { kind: K }>] => e[1].kind === kind);
  for (const [k, s] of of('int')) {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= s.lo && v <= s.hi)) bad(k, `must be a whole number in [${s.lo}, ${s.hi}]`);
  }
  for (const [k, s] of of('scales')) {
    const v = c[k] as number[];
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(x > s.lo && x <= s.hi))) bad(k, `must be a list of factors in (${s.lo}, ${s.hi}]`);
  }
  for (const [k, s] of of('prob')) {
    const v = c[k] as number;
    if (!(v >= 0 && v <= 1)) bad(k, 'must be a probability in [0, 1]');
    if (s.below1 && v >= 1) bad(k, 'must be < 1');
  }
  for (const [k, s] of of('range')) {
    const r = c[k] as number[];
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]) || r.some((v) => typeof v !== 'number' || !Number.isFinite(v))) bad(k, 'must be [min, max] with min <= max');
    if (r[0] < s.lo || r[1] > s.hi || (s.whole && !r.every(Number.isInteger))) bad(k, `must lie in [${s.lo}, ${s.hi}]${s.whole ? ' (whole numbers)' : ''}`);
  }
  return c;
}

/** Preset (default 'full'), then a JSON/YAML file's fields, then explicit overrides. */
export async function loadConfig(opts: { preset?: string; file?: string; overrides?: Partial<AugmentConfig> } = {}): Promise<AugmentConfig> {
  const preset = opts.preset ?? 'full';
  if (!(preset in PRESETS)) throw new NucsegError(`unknown preset '${preset}' (available: ${Object.keys(PRESETS).join(', ')})`);
  let fromFile: Partial<AugmentConfig> = {};
  if (opts.file) {
    let text: string;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (e) {
      throw new NucsegError(`cannot read config (${(e as NodeJS.ErrnoException).code})`, { file: opts.file });
    }
    try {
      fromFile = (opts.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) ?? {};
    } catch (e) {
      throw new NucsegError(`invalid config: ${(e as Error).message.split('\n')[0]}`, { file: opts.file });
    }
    if (typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new NucsegError('config must be a mapping of settings', { file: opts.file });
  }
  const c = { ...structuredClone(DEFAULT_CONFIG), ...PRESETS[preset], ...fromFile, ...opts.overrides } as AugmentConfig;
  return validateConfig(c, opts.file ?? 'config');
}
