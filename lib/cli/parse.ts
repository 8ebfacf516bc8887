import { NucsegError } from '../util/errors.js';

/** The most thresholds one run scores (a range like 0.5:0.00001:0.95 would need 90,001). */
export const MAX_THRESHOLDS = 1000;

/**
 * Parses thresholds: a comma list ("0.5,0.7,0.9") or a range "start:step:stop" with the
 * stop included. Range values are computed on a 1/10000 grid so 0.5:0.05:0.95 gives
 * exactly the doubles 0.5, 0.55, …, 0.95 (not 0.6000000000000001); the step must be at
 * least 0.0001 and there may be at most MAX_THRESHOLDS values.
 */
export function parseThresholds(text: string): number[] {
  const s = text.trim();
  let out: number[];
  if (s.includes(':')) {
    const parts = s.split(':').map(Number);
    if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v)) || parts[1] <= 0) throw new NucsegError(`--thresholds range must be start:step:stop, not '${text}'`);
    const [a, step, b] = parts.map((v) => Math.round(v * 10000));
    if (!(step >= 1)) throw new NucsegError(`--thresholds range step must be at least 0.0001, not ${parts[1]}`);
    if (!(Number.isSafeInteger(a) && Number.isSafeInteger(b))) throw new NucsegError(`--thresholds: '${text}' has a value outside (0, 1]`);
    if (b < a) throw new NucsegError(`--thresholds range '${text}' starts above its stop`);
    const count = Math.floor((b - a) / step) + 1;
    if (count > MAX_THRESHOLDS) throw new NucsegError(`--thresholds range '${text}' gives ${count} thresholds, more than ${MAX_THRESHOLDS}`);
    out = Array.from({ length: count }, (_, k) => (a + k * step) / 10000);
  } else {
    out = s.split(',').map((v) => Number(v.trim()));
    if (out.length > MAX_THRESHOLDS) throw new NucsegError(`--thresholds has ${out.length} values, more than ${MAX_THRESHOLDS}`);
  }
  for (const t of out) if (!(Number.isFinite(t) && t > 0 && t <= 1)) throw new NucsegError(`--thresholds: '${text}' has a value outside (0, 1]`);
  if (out.length === 0) throw new NucsegError('--thresholds is empty');
  return [...new Set(out)]; // a threshold given twice is scored once
}

/** A whole-number option value in [min, max], or a NucsegError naming the option. */
export function wholeNumber(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new NucsegError(`${option} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, not '${text}'`);
  }
  return n;
}

/** An option value in [0, 1], or a NucsegError naming the option. */
export function probability(text: string, option: string): number {
  const n = Number(text);
  if (!(text.trim() !== '' && n >= 0 && n <= 1)) throw new NucsegError(`${option} must be a number in [0, 1], not '${text}'`);
  return n;
}
