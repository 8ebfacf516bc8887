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

export const DEFAULT_CONFIG: Readonly<AugmentConfig> = Object.freeze({
  roi: 256,
  shoulder: 8,
  scales: [0.333, 0.667, 1, 1.333, 2],
  rotate45: true,
  flips: true,
  pContrast: 0.5,
  pBlur: 0.3,
  pNoise: 0.3,
  wClahe: 1,
  wGamma: 1,
  wSaturation: 1,
  wMultiply: 1,
  wGaussian: 1,
  wMedian: 1,
  wGaussNoise: 1,
  wPoisson: 1,
  wImpulse: 1,
  wDropout: 1,
  claheClip: [1, 4],
  claheTiles: [4, 12],
  gamma: [0.6, 1.6],
  saturation: [95, 99.9],
  multiply: [0.6, 1.4],
  gaussianSigma: [0.5, 2],
  medianK: [3, 5],
  gaussNoiseSigma: [0.01, 0.08],
  poissonPeak: [20, 200],
  impulseFraction: [0.001, 0.02],
  dropoutFraction: [0.01, 0.1],
  valFraction: 0.2,
}) as AugmentConfig;

/** The seed paper's ablations: each `min-*` preset drops one class of augmentation. */
export const PRESETS: Readonly<Record<string, Partial<AugmentConfig>>> = Object.freeze({
  full: {},
  none: { pContrast: 0, pBlur: 0, pNoise: 0, scales: [1] },
  'min-blur': { pBlur: 0 },
  'min-contrast': { pContrast: 0 },
  'min-noise': { pNoise: 0 },
  'min-scaling': { scales: [1] },
});

/**
 * Every [min, max] setting with the values it may take (the native code converts some to
 * integers or sizes kernels by them: unbounded values were undefined behaviour or a crash,
 * e.g. gaussianSigma 1e300 — fuzz findings). `whole`: integers only.
 */
const RANGES: Partial<Record<keyof AugmentConfig, { lo: number; hi: number; whole?: boolean }>> = {
  claheClip: { lo: 0, hi: 100 },
  claheTiles: { lo: 1, hi: 64, whole: true },
  gamma: { lo: 0.05, hi: 20 },
  saturation: { lo: 50, hi: 100 },
  multiply: { lo: 0, hi: 20 },
  gaussianSigma: { lo: 0, hi: 20 },
  medianK: { lo: 1, hi: 7, whole: true },
  gaussNoiseSigma: { lo: 0, hi: 1 },
  poissonPeak: { lo: 1, hi: 1e6 },
  impulseFraction: { lo: 0, hi: 1 },
  dropoutFraction: { lo: 0, hi: 1 },
};

/** Checks a full config, naming the first bad field. */
export function validateConfig(c: AugmentConfig, source = 'config'): AugmentConfig {
  const bad = (k: string, why: string): never => {
    throw new NucsegError(`${source}: ${k} ${why}`);
  };
  for (const k of Object.keys(c)) if (!(k in DEFAULT_CONFIG)) bad(k, 'is not a known setting');
  if (!(Number.isInteger(c.roi) && c.roi >= 16 && c.roi <= 2048)) bad('roi', 'must be a whole number in [16, 2048]');
  if (!(Number.isInteger(c.shoulder) && c.shoulder >= 0 && c.shoulder <= 128)) bad('shoulder', 'must be a whole number in [0, 128]');
  if (!Array.isArray(c.scales) || c.scales.length === 0 || c.scales.some((s) => !(s > 0.05 && s <= 8))) bad('scales', 'must be a list of factors in (0.05, 8]');
  for (const k of ['pContrast', 'pBlur', 'pNoise', 'valFraction'] as const) if (!(c[k] >= 0 && c[k] <= 1)) bad(k, 'must be a probability in [0, 1]');
  if (c.valFraction >= 1) bad('valFraction', 'must be < 1');
  for (const [k, lim] of Object.entries(RANGES) as [keyof AugmentConfig, { lo: number; hi: number; whole?: boolean }][]) {
    const r = c[k] as number[];
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]) || r.some((v) => typeof v !== 'number' || !Number.isFinite(v))) bad(k, 'must be [min, max] with min <= max');
    if (r[0] < lim.lo || r[1] > lim.hi || (lim.whole && !r.every(Number.isInteger))) bad(k, `must lie in [${lim.lo}, ${lim.hi}]${lim.whole ? ' (whole numbers)' : ''}`);
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
