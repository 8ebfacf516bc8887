// Shared timing helpers for `npm run bench`: same rules as ../shared/bench (one warm-up
// call, then >= 7 samples, each at least ~4 ms of calls; the median is reported).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function time(fn, { runs = 7, minSampleMs = 4 } = {}) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= minSampleMs || reps >= 1 << 16) break;
    reps *= 2;
  }
  const samples = [];
  for (let s = 0; s < runs; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6 / reps);
  }
  samples.sort((a, b) => a - b);
  return { median_ms: samples[samples.length >> 1], min_ms: samples[0], max_ms: samples[samples.length - 1], runs, reps };
}

/** The middle value of `v` (the upper middle for an even count), as time() reports samples. */
export function median(v) {
  return [...v].sort((a, b) => a - b)[v.length >> 1];
}

export const PYTHON = process.env.NUCSEG_BENCH_PYTHON ?? '/usr/bin/python3';

export function ensureInputs(shared, inputs) {
  if (existsSync(join(inputs, 'inputs.json'))) return;
  console.log(`making benchmark inputs in ${inputs} (../shared/bench/make_inputs.py, ~15 s)`);
  execFileSync(PYTHON, [join(shared, 'bench', 'make_inputs.py'), '--out', inputs], { stdio: 'inherit' });
}

/** Runs the shared peer harness for the given ops; returns its result records. */
export function runPeers(shared, inputs, out, ops, { quick = false } = {}) {
  const args = [join(shared, 'bench', 'bench_peers.py'), '--inputs', inputs, '--out', out, '--only', ops.join(',')];
  if (quick) args.push('--quick');
  console.log(`running peers: ${ops.join(', ')} (../shared/bench/bench_peers.py)`);
  execFileSync(PYTHON, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(join(out, 'results_partial.json'), 'utf8')).results;
}

export function readPeers(out) {
  for (const f of ['results_partial.json', 'results.json']) {
    const p = join(out, f);
    if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')).results;
  }
  return [];
}

/** Finds one peer measurement by op, input and a peer-name test. */
export function peer(results, op, input, test, threads = 1) {
  return results.find((r) => r.op === op && r.input === input && test(r.peer) && r.threads === threads);
}
