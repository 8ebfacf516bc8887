import { NucsegError } from '../util/errors.js';

/**
 * Parses thresholds: a comma list ("0.5,0.7,0.9") or a range "start:step:stop" with the
 * stop included. Range values are computed on a 1/10000 grid so 0.5:0.05:0.95 gives
 * exactly the doubles 0.5, 0.55, …, 0.95 (not 0.6000000000000001).
 */
export function parseThresholds(text: string): number[] {
  const s = text.trim();
  let out: number[];
  if (s.includes(':')) {
    const parts = s.split(':').map(Number);
    if (parts.length !== 3 || parts.some((v) => !Number.isFinite(v)) || parts[1] <= 0) throw new NucsegError(`--thresholds range must be start:step:stop, not '${text}'`);
    const [a, step, b] = parts.map((v) => Math.round(v * 10000));
    out = [];
    for (let v = a; v <= b; v += step) out.push(v / 10000);
  } else {
    out = s.split(',').map((v) => Number(v.trim()));
  }
  for (const t of out) if (!(Number.isFinite(t) && t > 0 && t <= 1)) throw new NucsegError(`--thresholds: '${text}' has a value outside (0, 1]`);
  if (out.length === 0) throw new NucsegError('--thresholds is empty');
  return out;
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
